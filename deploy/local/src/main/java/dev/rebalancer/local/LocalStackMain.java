package dev.rebalancer.local;

import java.util.concurrent.CountDownLatch;
import sun.misc.Signal;

/**
 * {@code deploy/local/run.sh}: starts the {@link LocalStack}, says where everything is, and on Ctrl-C or SIGTERM stops
 * the services first, then the simulator, Kafka and PostgreSQL, so that no process is left behind.
 */
public final class LocalStackMain {

    private LocalStackMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        LocalStack.Settings settings = LocalStack.Settings.fromEnvironment();
        CountDownLatch forever = new CountDownLatch(1);
        LocalStack[] stack = new LocalStack[1];
        java.util.concurrent.atomic.AtomicBoolean stopping = new java.util.concurrent.atomic.AtomicBoolean();
        // Once, whatever the number of Ctrl-Cs, in a thread of its own: System.exit waits for the shutdown hooks.
        Runnable stop = () -> {
            if (stopping.compareAndSet(false, true)) {
                new Thread(() -> {
                    System.out.println("[local-stack] stopping the services, the simulator, Kafka and PostgreSQL ...");
                    synchronized (stack) {
                        if (stack[0] != null) {
                            stack[0].close();
                        }
                    }
                    // Kafka and PostgreSQL stop in the JVM's shutdown hooks; a service still starting in its own.
                    System.exit(0);
                }, "local-stack-stop").start();
            }
        };
        Signal.handle(new Signal("INT"), signal -> stop.run());
        Signal.handle(new Signal("TERM"), signal -> stop.run());

        System.out.println("[local-stack] starting Kafka, PostgreSQL, "
                + (settings.simulated() ? "the Alpaca simulator" : "(Alpaca paper: no simulator)")
                + " and the four services ...");
        try {
            LocalStack running = LocalStack.start(settings);
            synchronized (stack) {
                stack[0] = running;
            }
            System.out.println();
            System.out.println(running.summary());
            System.out.flush();
        } catch (RuntimeException e) {
            System.err.println("[local-stack] could not start: " + e.getMessage());
            System.exit(1);
        }
        forever.await();
    }
}
