package dev.capnp.examples.rpc;

import dev.capnp.examples.rpc.CalculatorApi.Calculator;
import dev.capnp.rpc.EventLoop;

/** The calculator service and client in one process (a local capability, no network). */
public final class CalcLocalMain {
  private CalcLocalMain() {}

  /**
   * Entry point.
   *
   * @param args ignored
   */
  public static void main(String[] args) {
    try (EventLoop loop = EventLoop.start("calc-vat")) {
      Calculator.Client calc = CalculatorService.create(loop);
      try (calc) {
        new CalculatorClient(calc, System.out, loop).runAll();
      }
    }
  }
}
