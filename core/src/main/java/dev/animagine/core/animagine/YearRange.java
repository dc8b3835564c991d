package dev.animagine.core.animagine;

/** A year tag and the posting years (inclusive) it was trained on, e.g. {@code recent} = 2018..2020. */
public record YearRange(String tag, int from, int to) {
    public boolean contains(int year) {
        return year >= from && year <= to;
    }
}
