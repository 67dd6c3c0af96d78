package dev.capnp.rpc.core;

import dev.capnp.rpc.proto.Rpc;
import dev.capnp.runtime.AnyPointer;
import dev.capnp.runtime.AnyStruct;
import dev.capnp.runtime.StructList;
import dev.capnp.runtime.Text;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The one-line text form of an {@code rpc.capnp} message used by the protocol scripts: {@link
 * #summarize} prints a message, {@link #build} makes a message from such a line, and the two
 * are each other's inverse on canonical lines (see {@code ProtocolScriptTest}).
 *
 * <p>Ids carry a letter telling which table they name, as seen by the message's sender:
 * {@code q} a question (Bootstrap, Call, Finish, PromisedAnswer), {@code a} an answer (Return),
 * {@code e} an export or import (importedCap, senderHosted, Release, Resolve), {@code d} an
 * embargo, {@code x} a reference count. The forms:
 *
 * <pre>
 * bootstrap q0
 * call q1 importedCap=e0 [interface=0x..] [method=N] [sendResultsTo=yourself]
 *     [allowThirdPartyTailCall] [CONTENT] [caps=[DESC, ...]]
 * call q2 promisedAnswer=q1.1 ("hi")
 * return a1 results [CONTENT] [caps=[...]] [releaseParamCaps] [noFinishNeeded]
 * return a1 exception [disconnected|overloaded|unimplemented] "reason" [releaseParamCaps]
 *     [noFinishNeeded]
 * return a1 canceled | resultsSentElsewhere | takeFromOtherQuestion=q5 [releaseParamCaps]
 *     [noFinishNeeded]
 * finish q1 [releaseResultCaps]
 * resolve e3 DESC | resolve e3 exception "reason"
 * release e3 x2
 * disembargo TARGET senderLoopback=d0 | receiverLoopback=d0 | accept[=HEX]
 * provide q1 TARGET to="await"            (Level 3: ThirdPartyToAwait as a Text)
 * accept q2 from="completion" [embargo=HEX] (Level 3: ThirdPartyCompletion as a Text)
 * abort [TYPE] "reason"
 * unimplemented MESSAGE
 * </pre>
 *
 * <p>CONTENT is {@code #k} (the content pointer is capability k of the cap table) or a struct
 * {@code ("text" #0 _ #1)} listing its pointers (a text, a capability index, {@code _} for
 * null; trailing nulls left out; the test interface puts the message text at pointer 0 and
 * capabilities at 1..3). DESC is {@code none}, {@code senderHosted=e3}, {@code
 * senderPromise=e3}, {@code receiverHosted=e3}, {@code receiverAnswer=q1.1} or {@code
 * thirdPartyHosted=e9} (its vineId). A flag is written when it is true and left out when false
 * (mind that in {@code rpc.capnp} {@code releaseParamCaps} and {@code releaseResultCaps} default
 * to true: {@code finish q1} sets it false). The interface is written only when it is not the
 * test interface.
 */
final class ProtocolScriptFormat {
  private ProtocolScriptFormat() {
  }

  // ============================================================================ printing

  /** The canonical line of {@code m}. */
  static String summarize(Rpc.Message.Reader m) {
    switch (m.which()) {
      case BOOTSTRAP:
        return "bootstrap q" + m.getBootstrap().getQuestionId();
      case CALL: {
        Rpc.Call.Reader c = m.getCall();
        StringBuilder sb = new StringBuilder("call q").append(c.getQuestionId()).append(' ')
            .append(target(c.getTarget()));
        if (c.getInterfaceId() != TestSupport.IFACE) {
          sb.append(" interface=0x").append(Long.toHexString(c.getInterfaceId()));
        }
        if (c.getMethodId() != 0) {
          sb.append(" method=").append(c.getMethodId());
        }
        if (!c.getSendResultsTo().isCaller()) {
          sb.append(" sendResultsTo=").append(c.getSendResultsTo().isYourself() ? "yourself"
              : "thirdParty");
        }
        if (c.getAllowThirdPartyTailCall()) {
          sb.append(" allowThirdPartyTailCall");
        }
        return sb.append(payload(c.getParams())).toString();
      }
      case RETURN:
        return returnLine(m.getReturn());
      case FINISH:
        return "finish q" + m.getFinish().getQuestionId()
            + (m.getFinish().getReleaseResultCaps() ? " releaseResultCaps" : "");
      case RESOLVE: {
        Rpc.Resolve.Reader r = m.getResolve();
        return "resolve e" + r.getPromiseId() + " "
            + (r.isException() ? exception(r.getException()) : descriptor(r.getCap()));
      }
      case RELEASE:
        return "release e" + m.getRelease().getId() + " x" + m.getRelease().getReferenceCount();
      case DISEMBARGO: {
        Rpc.Disembargo.Reader d = m.getDisembargo();
        Rpc.Disembargo.Context.Reader c = d.getContext();
        String ctx = c.isSenderLoopback() ? "senderLoopback=d" + c.getSenderLoopback()
            : c.isReceiverLoopback() ? "receiverLoopback=d" + c.getReceiverLoopback()
            : c.isAccept() && c.hasAccept() && c.getAccept().size() > 0
                ? "accept=" + java.util.HexFormat.of().formatHex(c.getAccept().toArray())
            : c.isAccept() ? "accept" : "context" + c.which();
        return "disembargo " + target(d.getTarget()) + " " + ctx;
      }
      case ABORT:
        return "abort " + exception(m.getAbort()).substring("exception ".length());
      case PROVIDE: {
        Rpc.Provide.Reader p = m.getProvide();
        return "provide q" + p.getQuestionId() + " " + target(p.getTarget()) + " to="
            + text(p.getRecipient());
      }
      case ACCEPT: {
        Rpc.Accept.Reader a = m.getAccept();
        return "accept q" + a.getQuestionId() + " from=" + text(a.getProvision())
            + (a.hasEmbargo() && a.getEmbargo().size() > 0
                ? " embargo=" + java.util.HexFormat.of().formatHex(a.getEmbargo().toArray())
                : "");
      }
      case UNIMPLEMENTED:
        return "unimplemented " + summarize(m.getUnimplemented());
      default: // provide, accept, join, obsoleteSave, obsoleteDelete: named only
        StringBuilder sb = new StringBuilder();
        for (String part : m.which().toString().toLowerCase(Locale.ROOT).split("_")) {
          sb.append(sb.length() == 0 ? part
              : Character.toUpperCase(part.charAt(0)) + part.substring(1));
        }
        return sb.toString();
    }
  }

  /** A Level 3 network value written as a Text (the scripts' stub network), quoted. */
  private static String text(AnyPointer.Reader p) {
    try {
      return p.isNull() ? "_" : quote(p.getAs(Text.FACTORY).toString());
    } catch (RuntimeException e) {
      return "?";
    }
  }

  private static String returnLine(Rpc.Return.Reader r) {
    String head = "return a" + r.getAnswerId() + " ";
    String flag = (r.getReleaseParamCaps() ? " releaseParamCaps" : "")
        + (r.getNoFinishNeeded() ? " noFinishNeeded" : "");
    switch (r.which()) {
      case RESULTS:
        return head + "results" + payload(r.getResults()) + flag;
      case EXCEPTION:
        return head + exception(r.getException()) + flag;
      case TAKE_FROM_OTHER_QUESTION:
        return head + "takeFromOtherQuestion=q" + r.getTakeFromOtherQuestion() + flag;
      case RESULTS_SENT_ELSEWHERE:
        return head + "resultsSentElsewhere" + flag;
      case CANCELED:
        return head + "canceled" + flag;
      default:
        return head + "awaitFromThirdParty" + flag;
    }
  }

  private static String exception(Rpc.Exception.Reader e) {
    String type = e.getType() == Rpc.Exception.Type.FAILED ? ""
        : e.getType().toString().toLowerCase(Locale.ROOT) + " ";
    return "exception " + type + quote(e.getReason().toString());
  }

  private static String target(Rpc.MessageTarget.Reader t) {
    return t.isImportedCap() ? "importedCap=e" + t.getImportedCap()
        : "promisedAnswer=" + promisedAnswer(t.getPromisedAnswer());
  }

  private static String promisedAnswer(Rpc.PromisedAnswer.Reader pa) {
    StringBuilder sb = new StringBuilder("q").append(pa.getQuestionId());
    for (int i = 0; i < pa.getTransform().size(); i++) {
      Rpc.PromisedAnswer.Op.Reader op = pa.getTransform().get(i);
      sb.append('.').append(op.isNoop() ? "noop" : String.valueOf(op.getGetPointerField()));
    }
    return sb.toString();
  }

  private static String descriptor(Rpc.CapDescriptor.Reader d) {
    switch (d.which()) {
      case SENDER_HOSTED:
        return "senderHosted=e" + d.getSenderHosted();
      case SENDER_PROMISE:
        return "senderPromise=e" + d.getSenderPromise();
      case RECEIVER_HOSTED:
        return "receiverHosted=e" + d.getReceiverHosted();
      case RECEIVER_ANSWER:
        return "receiverAnswer=" + promisedAnswer(d.getReceiverAnswer());
      case THIRD_PARTY_HOSTED:
        return "thirdPartyHosted=e" + d.getThirdPartyHosted().getVineId();
      default:
        return "none";
    }
  }

  private static String payload(Rpc.Payload.Reader p) {
    StringBuilder sb = new StringBuilder();
    AnyPointer.Reader content = p.getContent();
    if (content.isCapability()) {
      sb.append(" #").append(content.getCapabilityIndex());
    } else if (content.isStruct()) {
      AnyStruct.Reader s = content.getAs(AnyStruct.FACTORY);
      List<String> items = new ArrayList<>();
      for (int i = 0; i < s.pointerCount(); i++) {
        items.add(pointer(s.getPointer(i)));
      }
      while (!items.isEmpty() && items.get(items.size() - 1).equals("_")) {
        items.remove(items.size() - 1);
      }
      sb.append(" (").append(String.join(" ", items)).append(')');
    } else if (!content.isNull()) {
      sb.append(" ?");
    }
    StructList.Reader<Rpc.CapDescriptor.Reader> caps = p.getCapTable();
    if (caps.size() > 0) {
      List<String> ds = new ArrayList<>();
      for (int i = 0; i < caps.size(); i++) {
        ds.add(descriptor(caps.get(i)));
      }
      sb.append(" caps=[").append(String.join(", ", ds)).append(']');
    }
    return sb.toString();
  }

  private static String pointer(AnyPointer.Reader p) {
    if (p.isNull()) {
      return "_";
    }
    if (p.isCapability()) {
      return "#" + p.getCapabilityIndex();
    }
    return p.isList() ? quote(p.getAs(Text.FACTORY).toString()) : "?";
  }

  static String quote(String s) {
    return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }

  /**
   * Whether the actual line {@code actual} matches the expected canonical line: equal, except
   * that a quoted string ending in {@code ..."} in {@code expected} matches any string that
   * starts with what comes before the dots.
   */
  static boolean matches(String expected, String actual) {
    if (!expected.contains("...\"")) {
      return expected.equals(actual);
    }
    String[] parts = expected.split(Pattern.quote("...\""), -1);
    StringBuilder re = new StringBuilder();
    for (int i = 0; i < parts.length; i++) {
      if (i > 0) {
        re.append("(?:[^\"\\\\]|\\\\.)*\"");
      }
      re.append(Pattern.quote(parts[i]));
    }
    return Pattern.matches(re.toString(), actual);
  }

  // ============================================================================= parsing

  /** Builds the message of the canonical (or hand-written) line {@code line} into {@code m}. */
  static void build(String line, Rpc.Message.Builder m) {
    Tokens t = new Tokens(line);
    message(t, m);
    t.end();
  }

  private static void message(Tokens t, Rpc.Message.Builder m) {
    String kind = t.word();
    switch (kind) {
      case "bootstrap":
        m.initBootstrap().setQuestionId(t.id("q"));
        break;
      case "call":
        call(t, m.initCall());
        break;
      case "return":
        returnMessage(t, m.initReturn());
        break;
      case "finish": {
        Rpc.Finish.Builder f = m.initFinish();
        f.setQuestionId(t.id("q"));
        f.setReleaseResultCaps(t.flag("releaseResultCaps"));
        break;
      }
      case "resolve": {
        Rpc.Resolve.Builder r = m.initResolve();
        r.setPromiseId(t.id("e"));
        if (t.peekIs("exception")) {
          t.word();
          exception(t, r.initException());
        } else {
          descriptor(t, r.initCap());
        }
        break;
      }
      case "release": {
        Rpc.Release.Builder r = m.initRelease();
        r.setId(t.id("e"));
        r.setReferenceCount(t.id("x"));
        break;
      }
      case "disembargo":
        disembargo(t, m.initDisembargo());
        break;
      case "provide": {
        Rpc.Provide.Builder p = m.initProvide();
        p.setQuestionId(t.id("q"));
        target(t, p.initTarget());
        t.expect("to=");
        p.initRecipient().setAs(Text.FACTORY, new Text.Reader(t.string()));
        break;
      }
      case "accept": {
        Rpc.Accept.Builder a = m.initAccept();
        a.setQuestionId(t.id("q"));
        t.expect("from=");
        a.initProvision().setAs(Text.FACTORY, new Text.Reader(t.string()));
        if (t.peekIs("embargo=")) {
          a.setEmbargo(java.util.HexFormat.of().parseHex(t.word().substring(8)));
        }
        break;
      }
      case "abort":
        exception(t, m.initAbort());
        break;
      case "unimplemented":
        message(t, m.initUnimplemented());
        break;
      default:
        throw new IllegalArgumentException("unknown message kind '" + kind + "'");
    }
  }

  private static void call(Tokens t, Rpc.Call.Builder c) {
    c.setQuestionId(t.id("q"));
    target(t, c.initTarget());
    c.setInterfaceId(TestSupport.IFACE);
    c.initSendResultsTo().setCaller();
    while (true) {
      if (t.peekIs("interface=0x")) {
        c.setInterfaceId(Long.parseUnsignedLong(t.word().substring(12), 16));
      } else if (t.peekIs("method=")) {
        c.setMethodId(Short.parseShort(t.word().substring(7)));
      } else if (t.peekIs("sendResultsTo=")) {
        String to = t.word().substring(14);
        if (to.equals("yourself")) {
          c.getSendResultsTo().setYourself();
        } else if (!to.equals("caller")) {
          throw new IllegalArgumentException("sendResultsTo must be caller or yourself: " + to);
        }
      } else if (t.peekIs("allowThirdPartyTailCall")) {
        t.word();
        c.setAllowThirdPartyTailCall(true);
      } else {
        break;
      }
    }
    payload(t, c.initParams());
  }

  private static void returnMessage(Tokens t, Rpc.Return.Builder r) {
    r.setAnswerId(t.id("a"));
    String w = t.word();
    if (w.equals("results")) {
      payload(t, r.initResults());
    } else if (w.equals("exception")) {
      exception(t, r.initException());
    } else if (w.equals("canceled")) {
      r.setCanceled();
    } else if (w.equals("resultsSentElsewhere")) {
      r.setResultsSentElsewhere();
    } else if (w.startsWith("takeFromOtherQuestion=")) {
      r.setTakeFromOtherQuestion(Tokens.number(w.substring(22), "q"));
    } else {
      throw new IllegalArgumentException("unknown return kind '" + w + "'");
    }
    r.setReleaseParamCaps(t.flag("releaseParamCaps"));
    r.setNoFinishNeeded(t.flag("noFinishNeeded"));
  }

  private static void disembargo(Tokens t, Rpc.Disembargo.Builder d) {
    target(t, d.initTarget());
    String w = t.word();
    Rpc.Disembargo.Context.Builder c = d.initContext();
    if (w.startsWith("senderLoopback=")) {
      c.setSenderLoopback(Tokens.number(w.substring(15), "d"));
    } else if (w.startsWith("receiverLoopback=")) {
      c.setReceiverLoopback(Tokens.number(w.substring(17), "d"));
    } else if (w.startsWith("accept=")) {
      c.setAccept(java.util.HexFormat.of().parseHex(w.substring(7)));
    } else if (w.equals("accept")) {
      c.initAccept(0);
    } else {
      throw new IllegalArgumentException("unknown disembargo context '" + w + "'");
    }
  }

  private static void exception(Tokens t, Rpc.Exception.Builder e) {
    e.setType(Rpc.Exception.Type.FAILED);
    if (!t.peekString()) {
      e.setType(Rpc.Exception.Type.valueOf(t.word().toUpperCase(Locale.ROOT)));
    }
    e.setReason(t.string());
  }

  private static void target(Tokens t, Rpc.MessageTarget.Builder target) {
    String w = t.word();
    if (w.startsWith("importedCap=")) {
      target.setImportedCap(Tokens.number(w.substring(12), "e"));
    } else if (w.startsWith("promisedAnswer=")) {
      promisedAnswer(w.substring(15), target.initPromisedAnswer());
    } else {
      throw new IllegalArgumentException("a target is importedCap=eN or promisedAnswer=qN.i..,"
          + " not '" + w + "'");
    }
  }

  private static void promisedAnswer(String text, Rpc.PromisedAnswer.Builder pa) {
    String[] parts = text.split("\\.");
    pa.setQuestionId(Tokens.number(parts[0], "q"));
    if (parts.length > 1) {
      StructList.Builder<Rpc.PromisedAnswer.Op.Builder> ops = pa.initTransform(parts.length - 1);
      for (int i = 1; i < parts.length; i++) {
        if (parts[i].equals("noop")) {
          ops.get(i - 1).setNoop();
        } else {
          ops.get(i - 1).setGetPointerField(Short.parseShort(parts[i]));
        }
      }
    }
  }

  private static void descriptor(Tokens t, Rpc.CapDescriptor.Builder d) {
    String w = t.word();
    int eq = w.indexOf('=');
    String kind = eq < 0 ? w : w.substring(0, eq);
    String arg = eq < 0 ? "" : w.substring(eq + 1);
    switch (kind) {
      case "none":
        d.setNone();
        break;
      case "senderHosted":
        d.setSenderHosted(Tokens.number(arg, "e"));
        break;
      case "senderPromise":
        d.setSenderPromise(Tokens.number(arg, "e"));
        break;
      case "receiverHosted":
        d.setReceiverHosted(Tokens.number(arg, "e"));
        break;
      case "receiverAnswer":
        promisedAnswer(arg, d.initReceiverAnswer());
        break;
      case "thirdPartyHosted":
        d.initThirdPartyHosted().setVineId(Tokens.number(arg, "e"));
        break;
      default:
        throw new IllegalArgumentException("unknown capability descriptor '" + w + "'");
    }
  }

  private static void payload(Tokens t, Rpc.Payload.Builder p) {
    if (t.peekIs("#")) {
      p.getContent().setCapabilityIndex(Tokens.number(t.word().substring(1), ""));
    } else if (t.peekIs("(")) {
      t.expect("(");
      AnyStruct.Builder s = p.getContent().initAs(AnyStruct.factory(TestSupport.PARAMS));
      for (int i = 0; !t.peekIs(")"); i++) {
        if (i >= TestSupport.PARAMS.pointerCount) {
          throw new IllegalArgumentException("a struct has at most "
              + TestSupport.PARAMS.pointerCount + " pointers");
        }
        if (t.peekString()) {
          s.getPointer(i).setAs(Text.FACTORY, new Text.Reader(t.string()));
        } else {
          String w = t.word();
          if (w.startsWith("#")) {
            s.getPointer(i).setCapabilityIndex(Tokens.number(w.substring(1), ""));
          } else if (!w.equals("_")) {
            throw new IllegalArgumentException("a struct pointer is \"text\", #k or _: " + w);
          }
        }
      }
      t.expect(")");
    }
    if (t.peekIs("caps=")) {
      t.expect("caps=");
      t.expect("[");
      int n = 0;
      int start = t.pos;
      while (!t.peekIs("]")) {
        if (n > 0) {
          t.expect(",");
        }
        t.word();
        n++;
      }
      t.pos = start;
      StructList.Builder<Rpc.CapDescriptor.Builder> caps = p.initCapTable(n);
      for (int i = 0; i < n; i++) {
        if (i > 0) {
          t.expect(",");
        }
        descriptor(t, caps.get(i));
      }
      t.expect("]");
    }
  }

  /**
   * The tokens of one line: quoted strings (with {@code \"} and {@code \\} escapes), the
   * single characters {@code ( ) [ ] ,} and words (anything else up to white space).
   */
  static final class Tokens {
    final List<String> items = new ArrayList<>();
    int pos;

    Tokens(String line) {
      int i = 0;
      while (i < line.length()) {
        char c = line.charAt(i);
        if (Character.isWhitespace(c)) {
          i++;
        } else if (c == '"') {
          StringBuilder sb = new StringBuilder("\"");
          i++;
          while (i < line.length() && line.charAt(i) != '"') {
            if (line.charAt(i) == '\\' && i + 1 < line.length()) {
              i++;
            }
            sb.append(line.charAt(i++));
          }
          if (i >= line.length()) {
            throw new IllegalArgumentException("unterminated string in: " + line);
          }
          i++;
          items.add(sb.toString());
        } else if ("()[],".indexOf(c) >= 0) {
          items.add(String.valueOf(c));
          i++;
        } else {
          int start = i;
          while (i < line.length() && !Character.isWhitespace(line.charAt(i))
              && "()[],\"".indexOf(line.charAt(i)) < 0) {
            i++;
          }
          items.add(line.substring(start, i));
        }
      }
    }

    boolean atEnd() {
      return pos >= items.size();
    }

    boolean peekString() {
      return !atEnd() && items.get(pos).startsWith("\"");
    }

    boolean peekIs(String prefix) {
      return !atEnd() && !peekString() && items.get(pos).startsWith(prefix);
    }

    String word() {
      if (atEnd() || peekString()) {
        throw new IllegalArgumentException("expected a word at token " + pos + " of " + items);
      }
      return items.get(pos++);
    }

    String string() {
      if (!peekString()) {
        throw new IllegalArgumentException("expected a quoted string at token " + pos + " of "
            + items);
      }
      return items.get(pos++).substring(1);
    }

    void expect(String word) {
      String w = word();
      if (!w.equals(word)) {
        throw new IllegalArgumentException("expected '" + word + "' but found '" + w + "'");
      }
    }

    int id(String letter) {
      return number(word(), letter);
    }

    /** Whether the next word is {@code name} (then taken): a flag is written when true. */
    boolean flag(String name) {
      if (!atEnd() && items.get(pos).equals(name)) {
        pos++;
        return true;
      }
      return false;
    }

    void end() {
      if (!atEnd()) {
        throw new IllegalArgumentException("unexpected '" + items.get(pos) + "' at the end");
      }
    }

    /** {@code text} without its id letter (e.g. {@code q3} with letter q is 3). */
    static int number(String text, String letter) {
      if (!text.startsWith(letter)) {
        throw new IllegalArgumentException("expected an id " + letter + "N, found '" + text + "'");
      }
      try {
        return Integer.parseInt(text.substring(letter.length()));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("expected an id " + letter + "N, found '" + text + "'");
      }
    }
  }
}
