package dev.capnp.schemac;

import java.util.List;
import java.util.stream.Collectors;

/** Thrown when schema files have errors; carries every error found, in the order found. */
public final class SchemaCompileException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final transient List<SchemaError> errors;

  /**
   * An exception for {@code errors} (not empty).
   *
   * @param errors the compile errors, not empty
   */
  public SchemaCompileException(List<SchemaError> errors) {
    super(errors.stream().map(SchemaError::toString).collect(Collectors.joining("\n")));
    this.errors = List.copyOf(errors);
  }

  /**
   * The errors.
   *
   * @return the compile errors, not empty
   */
  public List<SchemaError> errors() {
    return errors;
  }
}
