package dev.animagine.core.service;

import java.nio.file.Path;

/**
 * An adapter a prepared request applies.
 *
 * @param name the name the infotext records: as written in the prompt's {@code <lora:NAME>} tag, or
 *             the file name without extension for one given as a file
 * @param file the resolved adapter file
 * @param te   weight of its text-encoder parts (both encoders)
 * @param unet weight of its UNet parts
 */
public record AppliedLora(String name, Path file, float te, float unet) {
    /** A1111's tag for this adapter: {@code <lora:name:w>}, or {@code <lora:name:te:unet>} when they differ. */
    public String tag() {
        return "<lora:" + name + ":" + number(te) + (te == unet ? "" : ":" + number(unet)) + ">";
    }

    private static String number(float v) {
        return v == Math.rint(v) && Math.abs(v) < 1e7f ? Long.toString((long) v) : Float.toString(v);
    }
}
