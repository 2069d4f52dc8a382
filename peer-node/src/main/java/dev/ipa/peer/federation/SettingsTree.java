package dev.ipa.peer.federation;

import java.lang.reflect.RecordComponent;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns a configuration record into a tree of maps for JSON: one entry per record component, nested records as
 * nested maps, numbers and booleans as themselves, everything else as its text. Reading the components keeps
 * the provenance structured whatever fields the settings records gain. Stateless.
 */
final class SettingsTree {
  private SettingsTree() {}

  static Object of(Object value) {
    if (value == null || value instanceof Number || value instanceof Boolean) return value;
    if (!value.getClass().isRecord()) return String.valueOf(value);
    Map<String, Object> out = new LinkedHashMap<>();
    for (RecordComponent c : value.getClass().getRecordComponents()) {
      try {
        c.getAccessor().setAccessible(true);
        out.put(c.getName(), of(c.getAccessor().invoke(value)));
      } catch (ReflectiveOperationException | RuntimeException e) {
        out.put(c.getName(), "unreadable: " + e);
      }
    }
    return out;
  }
}
