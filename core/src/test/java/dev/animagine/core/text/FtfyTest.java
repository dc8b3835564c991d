package dev.animagine.core.text;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link Ftfy#fixText} on inputs the tokenizer fixtures do not reach (mojibake in several encodings,
 * lost 0xA0 bytes, HTML-looking lines, terminal escapes, C1 controls). Expected values were produced by
 * running ftfy 6.3.1's {@code fix_text} itself (the version the fixtures name), not by this code.
 */
class FtfyTest {
    static final String[][] FTFY_6_3_1 = {
            {"\u00E2\u0153\u201D No problems", "\u2714 No problems"},
            {"&macr;\\_(\u00E3\u0083\u0084)_/&macr;", "\u00AF\\_(\u30C4)_/\u00AF"},
            {"Broken text&hellip; it&#x2019;s \uFB02ubberi\uFB01c!", "Broken text\u2026 it's flubberific!"},
            {"\uFF2C\uFF2F\uFF35\uFF24\u3000\uFF2E\uFF2F\uFF29\uFF33\uFF25\uFF33", "LOUD NOISES"},
            {"caf\u00C3\u00A9, na\u00C3\u00AFve", "caf\u00E9, na\u00EFve"},
            {"voil\u00C3 le travail", "voil\u00E0 le travail"},
            {"\u00E2\u20AC\u0153quoted\u00E2\u20AC\u009D", "\"quoted\""},
            {"\u00C3  la mode", "\u00E0 la mode"},
            {"s\u00C3\u00B3", "s\u00F3"},
            {"P&EACUTE;REZ &ntilde; &NTILDE; &nTILDE;", "P\u00C9REZ \u00F1 \u00D1 &nTILDE;"},
            {"a&amp;amp;b", "a&b"},
            {"<b>&amp;</b>", "<b>&amp;</b>"},
            {"line1 &amp;\nline2 <x> &amp;", "line1 &\nline2 <x> &amp;"},
            {"\u00D0\u00BF\u00D1\u20AC\u00D0\u00B8\u00D0\u00B2\u00D0\u00B5\u00D1\u201A", "\u043F\u0440\u0438\u0432\u0435\u0442"},
            {"\u001B[36;44mblue\u001B[0m", "blue"},
            {"\uFB02u\uFB03e\uFB06", "fluffiest"},
            {"\uFF35\uFF80\uFF70\uFF9D", "U\u30BF\u30FC\u30F3"},
            {"e\u0301", "\u00E9"},
            {"\u2028x\u0085y\r\nz", "\nx\u2026y\nz"},
            {"\u00C3\u00A2\u00E2\u201A\u00AC\u00C5\u201Cdouble\u00C3\u00A2\u00E2\u201A\u00AC\u00C2", "\"double\u00E2\u20AC\u00C2"},
            {"\u00F0\u0178\u02DC\u20AC emoji", "\uD83D\uDE00 emoji"},
            {"\u00D7\u00B2 ok", "\u05F2 ok"},
            {"l\u2019\u00E9t\u00E9", "l'\u00E9t\u00E9"},
            {"\uFEFFbom\u206A\uFFF9", "bom"},
            {"em\u2014dash and ellipsis\u2026", "em\u2014dash and ellipsis\u2026"},
            {"zero\u200Bwidth", "zero\u200Bwidth"},
            {"caf\u00E9", "caf\u00E9"},
            {"\u65E5\u672C\u8A9E\u306E\u30D7\u30ED\u30F3\u30D7\u30C8", "\u65E5\u672C\u8A9E\u306E\u30D7\u30ED\u30F3\u30D7\u30C8"},
    };

    @Test
    void matchesFtfy() {
        for (String[] c : FTFY_6_3_1) assertThat(Ftfy.fixText(c[0])).as(c[0]).isEqualTo(c[1]);
    }

    @Test
    void badnessHeuristicLeavesOrdinaryTextAlone() {
        for (String ok : new String[] {"caf\u00E9, na\u00EFve, r\u00E9sum\u00E9", "1girl, solo, :d, ^_^", "\u00C5ngstr\u00F6m", "\u00BD cup"})
            assertThat(Mojibake.isBad(ok)).as(ok).isFalse();
        assertThat(Mojibake.isBad("caf\u00C3\u00A9")).isTrue();
    }
}
