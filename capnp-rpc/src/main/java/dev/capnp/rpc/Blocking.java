package dev.capnp.rpc;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a {@link Server} subclass whose handlers may block (call other capabilities and
 * {@code join()}, sleep, do I/O). Its calls run off the vat's event loop: on a virtual thread on
 * JDK 21+, on a shared cached pool on JDK 17. For finer control override
 * {@link Server#isBlocking(long, int)}.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface Blocking {
}
