package dev.capnp.schemac;

import java.util.List;

/**
 * A statement: tokens ended by {@code ;} ({@code block} null) or by a {@code { ... }} block of
 * statements, with the doc comment that follows it.
 */
record Statement(List<Token> tokens, List<Statement> block, String docComment, int start,
    int end) {}
