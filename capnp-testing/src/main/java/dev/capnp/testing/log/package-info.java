/**
 * A "no unexpected warnings" check for tests: {@link dev.capnp.testing.log.NoWarnings} over the
 * recording SLF4J provider {@link dev.capnp.testing.log.RecordingLoggerProvider}.
 */
package dev.capnp.testing.log;
