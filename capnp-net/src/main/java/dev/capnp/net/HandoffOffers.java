package dev.capnp.net;

import dev.capnp.net.HandoffValues.Await;
import dev.capnp.net.HandoffValues.Completion;
import dev.capnp.net.HandoffValues.Nonce;
import dev.capnp.rpc.RpcConnection;
import dev.capnp.rpc.RpcException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The host's (Bob's) side of three-party handoffs: the capabilities introducers offered with a
 * {@code Provide}, matched with the recipients' {@code Accept}s. An offer is named by its
 * introducer's key fingerprint and the nonce the introducer chose (so one introducer cannot
 * name another's offers), and only an {@code Accept} on a connection authenticated by the
 * recipient's key named in the {@code Provide} takes it; any other fails with a clear error
 * and changes nothing. An {@code Accept} may arrive before its {@code Provide}: it waits (until
 * the {@code Provide}, or until its connection is lost). An offer stands until it is withdrawn
 * (the introducer's {@code Finish} or its connection's loss); {@code Accept}s naming a recently
 * withdrawn offer fail instead of waiting.
 *
 * <p>Threading: confined to the vat's event loop (all its connections' protocol work runs
 * there); the futures returned complete on it.
 */
final class HandoffOffers {
  /** How many withdrawn offers are remembered (so late Accepts for them fail at once). */
  static final int REMEMBERED_WITHDRAWALS = 4096;

  private final Map<Key, Offer> offers = new HashMap<>();
  private final LinkedHashSet<Key> withdrawn = new LinkedHashSet<>();

  /** An offer's name: the introducer's key fingerprint and the handoff's nonce. */
  private record Key(AuthDigest introducer, Nonce nonce) {
    @Override
    public String toString() {
      return "handoff " + nonce + " introduced by " + introducer;
    }
  }

  /** An Accept waiting for its Provide. */
  private record Waiter(AuthDigest accepter, RpcConnection connection,
      CompletableFuture<Object> result) {
  }

  /** One offer: the Provide's value once it came, or the Accepts that came first. */
  private static final class Offer {
    AuthDigest recipient;
    Object value;
    RpcConnection introducerConnection;
    final List<Waiter> waiters = new ArrayList<>();

    boolean provided() {
      return introducerConnection != null;
    }
  }

  /**
   * A {@code Provide} from {@code introducer} on {@code connection}: offers {@code value} to the
   * recipient {@code await} names, completing the {@code Accept}s already waiting for it.
   *
   * @return withdraws the offer (idempotent)
   * @throws RpcException if the introducer already made an offer with this nonce
   */
  Runnable offer(AuthDigest introducer, RpcConnection connection, Await await, Object value) {
    Key key = new Key(introducer, await.nonce());
    if (withdrawn.contains(key)) {
      throw RpcException.failed("Three-party handoff: nonce reused by the introducer (" + key
          + ")");
    }
    Offer o = offers.computeIfAbsent(key, k -> new Offer());
    if (o.provided()) {
      throw RpcException.failed("Three-party handoff: duplicate Provide (" + key + ")");
    }
    o.recipient = await.recipient();
    o.value = value;
    o.introducerConnection = connection;
    List<Waiter> waiting = new ArrayList<>(o.waiters);
    o.waiters.clear();
    for (Waiter w : waiting) {
      settle(o, w.accepter(), w.result());
    }
    return () -> withdraw(key, o);
  }

  /**
   * An {@code Accept} from {@code accepter} on {@code connection}: the offer's value, now or
   * when its {@code Provide} comes; fails if {@code accepter} is not the intended recipient or
   * the offer was withdrawn.
   */
  CompletableFuture<Object> accept(AuthDigest accepter, RpcConnection connection,
      Completion completion) {
    Key key = new Key(completion.introducer(), completion.nonce());
    CompletableFuture<Object> result = new CompletableFuture<>();
    if (withdrawn.contains(key)) {
      result.completeExceptionally(RpcException.failed(
          "Three-party handoff failed: the offer was withdrawn (" + key + ")"));
      return result;
    }
    Offer o = offers.computeIfAbsent(key, k -> new Offer());
    if (o.provided()) {
      settle(o, accepter, result);
    } else {
      o.waiters.add(new Waiter(accepter, connection, result));
    }
    return result;
  }

  /**
   * {@code connection} was lost: its waiting {@code Accept}s fail and are dropped, and its
   * offers are withdrawn (the protocol core withdraws them too; either is enough).
   */
  void connectionLost(RpcConnection connection) {
    RpcException lost = RpcException.disconnected(
        "Three-party handoff: the connection was lost");
    Iterator<Map.Entry<Key, Offer>> it = offers.entrySet().iterator();
    List<Map.Entry<Key, Offer>> provided = new ArrayList<>();
    while (it.hasNext()) {
      Map.Entry<Key, Offer> e = it.next();
      Offer o = e.getValue();
      if (o.introducerConnection == connection) {
        provided.add(e);
        continue;
      }
      List<Waiter> gone = new ArrayList<>();
      o.waiters.removeIf(w -> w.connection() == connection && gone.add(w));
      if (!o.provided() && o.waiters.isEmpty()) {
        it.remove();
      }
      gone.forEach(w -> w.result().completeExceptionally(lost));
    }
    provided.forEach(e -> withdraw(e.getKey(), e.getValue()));
  }

  /**
   * Offers standing and Accepts waiting (for leak checks).
   *
   * @return the number of entries in the table
   */
  int size() {
    return offers.size();
  }

  private void withdraw(Key key, Offer o) {
    if (offers.get(key) != o) {
      return; // withdrawn already
    }
    offers.remove(key);
    o.value = null;
    withdrawn.add(key);
    if (withdrawn.size() > REMEMBERED_WITHDRAWALS) {
      Iterator<Key> oldest = withdrawn.iterator();
      oldest.next();
      oldest.remove();
    }
  }

  private static void settle(Offer o, AuthDigest accepter, CompletableFuture<Object> result) {
    if (accepter.equals(o.recipient)) {
      result.complete(o.value);
    } else {
      result.completeExceptionally(RpcException.failed("Three-party handoff refused: vat "
          + accepter + " is not the intended recipient of this capability"));
    }
  }
}
