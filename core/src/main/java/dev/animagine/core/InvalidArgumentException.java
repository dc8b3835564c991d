package dev.animagine.core;

/**
 * A request that cannot be run as given (an unknown sampler, a size that is not a multiple of 8,
 * a model path that does not exist): the command line maps it to exit code 2, like a usage error.
 */
public class InvalidArgumentException extends AnimagineException {
    public InvalidArgumentException(String message) {
        super(message);
    }
}
