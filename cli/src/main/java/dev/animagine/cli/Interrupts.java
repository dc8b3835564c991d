package dev.animagine.cli;

import dev.animagine.core.service.RunControl;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C during a run: the run is cancelled (it stops within one UNet evaluation and decodes
 * nothing) and the JVM's exit waits until the command has finished, so outputs already being
 * written complete (they are written atomically) and nothing partial is left.
 */
final class Interrupts implements AutoCloseable {
    private static final long WAIT_SECONDS = 120;
    private final Thread hook;
    private final CountDownLatch finished = new CountDownLatch(1);

    private Interrupts(RunControl control) {
        this.hook = new Thread(() -> {
            control.cancel();
            try {
                finished.await(WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "animagine-cancel");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    static Interrupts cancelOnSignal(RunControl control) {
        return new Interrupts(control);
    }

    @Override
    public void close() {
        finished.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running: it returns now that the command is done
        }
    }
}
