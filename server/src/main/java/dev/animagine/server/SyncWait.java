package dev.animagine.server;

import io.javalin.http.Context;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.util.BufferUtil;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Waits for a job on behalf of a synchronous HTTP call (A1111's txt2img, OpenAI's generations) and
 * cancels the job when the client goes away: Jetty reports a failed request, or a probe of the
 * connection reads end-of-stream (a waiting HTTP/1.1 client sends nothing more, so a read that
 * ends the stream means it closed).
 */
final class SyncWait {
    private static final long PROBE_MILLIS = 200;

    private SyncWait() {}

    /** Returns the finished job; cancels it and throws when the client disconnected first. */
    static Job await(Context ctx, Job job, JobQueue queue) {
        AtomicBoolean gone = new AtomicBoolean();
        EndPoint endPoint = null;
        try {
            ServletContextRequest request = ServletContextRequest.getServletContextRequest(ctx.req());
            if (request != null) {
                request.addFailureListener(failure -> gone.set(true));
                endPoint = request.getConnectionMetaData().getConnection().getEndPoint();
            }
        } catch (RuntimeException unavailable) {
            // without Jetty's request the job still ends; it is only not cancelled on disconnect
        }
        while (true) {
            try {
                return job.finished().get(PROBE_MILLIS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException stillRunning) {
                if (gone.get() || closed(endPoint)) {
                    queue.cancel(job.id());
                    throw new ClientGone();
                }
            } catch (InterruptedException e) {
                queue.cancel(job.id());
                Thread.currentThread().interrupt();
                throw new ClientGone();
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            }
        }
    }

    private static boolean closed(EndPoint endPoint) {
        if (endPoint == null) return false;
        if (!endPoint.isOpen() || endPoint.isInputShutdown()) return true;
        try {
            ByteBuffer probe = BufferUtil.allocate(1);
            return endPoint.fill(probe) < 0;
        } catch (Exception e) {
            return true;
        }
    }

    /** The client closed its connection; there is nobody to answer. */
    static final class ClientGone extends RuntimeException {
        ClientGone() {
            super("client disconnected", null, false, false);
        }
    }
}
