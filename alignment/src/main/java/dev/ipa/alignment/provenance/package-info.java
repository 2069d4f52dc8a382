/**
 * Provenance that travels with every model: {@link dev.ipa.alignment.provenance.ModelProvenance}, written into packed
 * model files and daemon checkpoints alike. Pure values; no I/O.
 */
package dev.ipa.alignment.provenance;
