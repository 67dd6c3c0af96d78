package dev.capnp.schemac;

import dev.capnp.runtime.Canonical;
import dev.capnp.runtime.ReaderOptions;
import dev.capnp.runtime.Serialize;
import dev.capnp.schema.Schema;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Compares two {@code CodeGeneratorRequest}s: the nodes matched by id (and their order), the
 * source info matched by id and the requested files in order, each by canonical encoding (so
 * values inside AnyPointer fields are compared too); {@code capnpVersion} is ignored.
 */
final class RequestComparison {
  private static final ReaderOptions TRUSTED = new ReaderOptions(Long.MAX_VALUE, 1000);

  private RequestComparison() {}

  static Schema.CodeGeneratorRequest.Reader read(byte[] framed) {
    return Serialize.read(ByteBuffer.wrap(framed), TRUSTED)
        .getRoot(Schema.CodeGeneratorRequest.FACTORY);
  }

  /** The differences, empty when the requests are equivalent. */
  static List<String> differences(byte[] expected, byte[] actual) {
    Schema.CodeGeneratorRequest.Reader e = read(expected);
    Schema.CodeGeneratorRequest.Reader a = read(actual);
    List<String> out = new ArrayList<>();
    Map<Long, Schema.Node.Reader> expectedNodes = new LinkedHashMap<>();
    for (var n : Lists.of(e.getNodes())) {
      expectedNodes.put(n.getId(), n);
    }
    Map<Long, Schema.Node.Reader> actualNodes = new LinkedHashMap<>();
    for (var n : Lists.of(a.getNodes())) {
      actualNodes.put(n.getId(), n);
    }
    for (var entry : expectedNodes.entrySet()) {
      Schema.Node.Reader actualNode = actualNodes.get(entry.getKey());
      if (actualNode == null) {
        out.add("missing node " + entry.getValue().getDisplayName());
      } else if (!Arrays.equals(Canonical.canonicalize(entry.getValue()),
          Canonical.canonicalize(actualNode))) {
        out.add("node " + entry.getValue().getDisplayName() + " differs:\n  expected "
            + entry.getValue() + "\n  actual   " + actualNode);
      }
    }
    for (var entry : actualNodes.entrySet()) {
      if (!expectedNodes.containsKey(entry.getKey())) {
        out.add("unexpected node " + entry.getValue().getDisplayName());
      }
    }
    if (out.isEmpty() && !List.copyOf(expectedNodes.keySet()).equals(List.copyOf(actualNodes.keySet()))) {
      out.add("nodes in a different order: expected " + expectedNodes.keySet() + " actual "
          + actualNodes.keySet());
    }
    Map<Long, Schema.Node.SourceInfo.Reader> expectedInfo = new LinkedHashMap<>();
    for (var s : Lists.of(e.getSourceInfo())) {
      expectedInfo.put(s.getId(), s);
    }
    Map<Long, Schema.Node.SourceInfo.Reader> actualInfo = new LinkedHashMap<>();
    for (var s : Lists.of(a.getSourceInfo())) {
      actualInfo.put(s.getId(), s);
    }
    for (var entry : expectedInfo.entrySet()) {
      var actualSource = actualInfo.get(entry.getKey());
      if (actualSource == null) {
        out.add("missing sourceInfo " + Long.toHexString(entry.getKey()));
      } else if (!Arrays.equals(Canonical.canonicalize(entry.getValue()),
          Canonical.canonicalize(actualSource))) {
        out.add("sourceInfo " + Long.toHexString(entry.getKey()) + " differs:\n  expected "
            + entry.getValue() + "\n  actual   " + actualSource);
      }
    }
    for (var id : actualInfo.keySet()) {
      if (!expectedInfo.containsKey(id)) {
        out.add("unexpected sourceInfo " + Long.toHexString(id) + ": " + actualInfo.get(id));
      }
    }
    var ef = Lists.of(e.getRequestedFiles());
    var af = Lists.of(a.getRequestedFiles());
    if (ef.size() != af.size()) {
      out.add("requested files: expected " + ef + " actual " + af);
    } else {
      for (int i = 0; i < ef.size(); i++) {
        if (!Arrays.equals(Canonical.canonicalize(ef.get(i)), Canonical.canonicalize(af.get(i)))) {
          out.add("requested file differs:\n  expected " + ef.get(i) + "\n  actual   " + af.get(i));
        }
      }
    }
    return out;
  }
}
