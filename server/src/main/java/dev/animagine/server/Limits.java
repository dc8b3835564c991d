package dev.animagine.server;

/**
 * What one request may ask for; anything beyond is a clear 4xx before any work is done.
 *
 * @param maxBodyBytes    request body size
 * @param maxImagePixels  pixels of an uploaded image, read from its header before it is decoded
 * @param maxSide         width and height of a generated image
 * @param maxPixels       width x height of a generated image
 * @param maxSteps        sampling steps
 * @param maxImages       images per request (A1111's batch_size x n_iter, OpenAI's n)
 * @param maxPromptChars  characters of a prompt or negative prompt
 */
public record Limits(long maxBodyBytes, long maxImagePixels, int maxSide, long maxPixels, int maxSteps, int maxImages, int maxPromptChars) {
    public static final Limits DEFAULT = new Limits(64L << 20, 4096L * 4096, 2048, 2048L * 2048, 150, 16, 20_000);
}
