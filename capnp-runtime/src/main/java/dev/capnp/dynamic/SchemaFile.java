package dev.capnp.dynamic;

import java.util.List;

/**
 * The compiled schema of one {@code .capnp} file, embedded in the Java class generated for it.
 *
 * <p>Generated code declares {@code public static final SchemaFile SCHEMA = SchemaFile.of(chunks,
 * imports...)}. The concatenated chunks are ISO-8859-1 characters, one per byte, of a message in
 * standard stream framing whose root is a {@code CodeGeneratorRequest} with only {@code nodes} set:
 * the file's node and every node nested in it. Parsing is deferred until first use, so class
 * initialisation stays cheap.
 */
public final class SchemaFile {
  private final String[] chunks;
  private final List<SchemaFile> imports;
  private volatile SchemaRegistry registry;

  private SchemaFile(String[] chunks, SchemaFile[] imports) {
    this.chunks = chunks.clone();
    this.imports = List.of(imports);
  }

  /**
   * Declares a schema file from its encoded nodes and the schema files it imports.
   *
   * @param chunks the file's encoded nodes, as generated
   * @param imports the schema files this file imports
   * @return the schema file
   */
  public static SchemaFile of(String[] chunks, SchemaFile... imports) {
    return new SchemaFile(chunks, imports);
  }

  /**
   * The schema files this one imports.
   *
   * @return the schema files this one imports
   */
  public List<SchemaFile> imports() {
    return imports;
  }

  /**
   * The encoded message bytes (standard framing).
   *
   * @return the encoded message bytes (standard framing)
   */
  public byte[] encodedNodes() {
    int size = 0;
    for (String c : chunks) {
      size += c.length();
    }
    byte[] out = new byte[size];
    int pos = 0;
    for (String c : chunks) {
      for (int i = 0; i < c.length(); i++) {
        out[pos++] = (byte) c.charAt(i);
      }
    }
    return out;
  }

  /**
   * The nodes of this file and its imports, parsed on first use.
   *
   * @return the nodes of this file and its imports, parsed on first use
   */
  public SchemaRegistry registry() {
    SchemaRegistry r = registry;
    if (r == null) {
      synchronized (this) {
        r = registry;
        if (r == null) {
          r = SchemaRegistry.load(this);
          registry = r;
        }
      }
    }
    return r;
  }
}
