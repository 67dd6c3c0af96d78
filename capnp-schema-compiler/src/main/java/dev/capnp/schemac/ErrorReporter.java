package dev.capnp.schemac;

import java.util.ArrayList;
import java.util.List;

/** Collects errors located by byte offsets in source files. */
final class ErrorReporter {
  private final List<SchemaError> errors = new ArrayList<>();

  void add(SourceFile file, int startByte, int endByte, String message) {
    int line = file.lineOf(startByte);
    int endLine = file.lineOf(endByte);
    errors.add(new SchemaError(file.name(), line + 1, file.columnOf(startByte) + 1, endLine + 1,
        file.columnOf(endByte) + 1, message));
  }

  boolean hadErrors() {
    return !errors.isEmpty();
  }

  List<SchemaError> errors() {
    return errors;
  }

  void throwIfErrors() {
    if (!errors.isEmpty()) {
      throw new SchemaCompileException(errors);
    }
  }
}
