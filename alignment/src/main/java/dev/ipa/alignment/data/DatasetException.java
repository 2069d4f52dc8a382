package dev.ipa.alignment.data;

/**
 * A data file or directory cannot be used: it is missing, truncated, corrupt, of the wrong kind, or does not
 * match its companion file. The message is one sentence that names the file, the problem and what to do, so
 * a command-line front end can print it as is.
 *
 * <p>Unchecked because no caller can recover by retrying: the user has to fix the data.
 */
public final class DatasetException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DatasetException(String message) {
        super(message);
    }

    public DatasetException(String message, Throwable cause) {
        super(message, cause);
    }
}
