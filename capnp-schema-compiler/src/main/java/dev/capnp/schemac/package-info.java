/**
 * A Cap'n Proto schema compiler written in Java: {@link dev.capnp.schemac.CapnpCompiler} reads
 * {@code .capnp} files and produces the {@code CodeGeneratorRequest} that
 * {@code capnp compile -o-} (0.9.2) produces, node for node, without any native tool.
 *
 * <p>Pipeline: {@code Lexer} (statements of tokens, doc comments) → {@code Parser}
 * ({@code Declaration} tree) → {@code DeclNode} (one per named node: ids, scopes, aliases,
 * on-demand compilation) → {@code NodeTranslator} / {@code StructTranslator} /
 * {@code InterfaceTranslator} (schema nodes; field placement by {@code StructLayout}; generic
 * brands by {@code BrandScope}; values by {@code ValueTranslator}) → {@code DependencyWalker}
 * and {@code LoadOrder} (which nodes the request holds, and in which order).
 */
package dev.capnp.schemac;
