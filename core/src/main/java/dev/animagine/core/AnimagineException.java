package dev.animagine.core;

/**
 * An error the user can act on: a bad file, a missing component, a value out of range.
 * The message is complete on one line and names the file, tensor, flag or value at fault;
 * front ends print it as it is, without a stack trace.
 */
public class AnimagineException extends RuntimeException {
    public AnimagineException(String message) {
        super(message);
    }

    public AnimagineException(String message, Throwable cause) {
        super(message, cause);
    }
}
