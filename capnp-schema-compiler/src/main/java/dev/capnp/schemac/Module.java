package dev.capnp.schemac;

import java.nio.file.Path;
import java.util.List;

/** One schema file: its source, its syntax tree (parsed on first use) and its root node. */
final class Module {
  private final ModuleLoader loader;
  private final SourceFile file;
  private final Path directory;
  private final String displayDirectory;
  private final ErrorReporter errors;
  private Declaration root;
  private DeclNode rootNode;

  Module(ModuleLoader loader, SourceFile file, Path directory, String displayDirectory,
      ErrorReporter errors) {
    this.loader = loader;
    this.file = file;
    this.directory = directory;
    this.displayDirectory = displayDirectory;
    this.errors = errors;
  }

  SourceFile file() {
    return file;
  }

  Path directory() {
    return directory;
  }

  String displayDirectory() {
    return displayDirectory;
  }

  /** The file's FILE declaration, parsed on first use (an empty file after a lexing error). */
  Declaration root() {
    if (root == null) {
      List<Statement> statements = new Lexer(file, errors).lex();
      Parser parser = new Parser(file, errors);
      root = parser.parseFile(statements == null ? List.of() : statements);
    }
    return root;
  }

  /** The file's node, created on first use. */
  DeclNode rootNode(Workspace workspace) {
    if (rootNode == null) {
      rootNode = new DeclNode(workspace, this, null, root());
    }
    return rootNode;
  }

  Module importRelative(String name) {
    return loader.importFrom(this, name);
  }

  void error(int start, int end, String message) {
    errors.add(file, start, end, message);
  }
}
