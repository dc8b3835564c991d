package dev.animagine.core.lora;

/**
 * The kind of one adapter module, told from its tensor names and shapes (as A1111's
 * {@code extensions-builtin/Lora} module types and LyCORIS' algorithms name them).
 */
public enum NetworkType {
    /** {@code lora_down}/{@code lora_up} on a linear layer (kohya LoRA, PEFT {@code lora_A}/{@code lora_B}). */
    LORA,
    /** {@code lora_down}/{@code lora_up} on a convolution (LoCon). */
    LOCON,
    /** LoCon with a {@code lora_mid} Tucker core. */
    LOCON_TUCKER,
    /** LoHa: {@code hada_w1_a}·{@code hada_w1_b} ⊙ {@code hada_w2_a}·{@code hada_w2_b}. */
    LOHA,
    /** LoHa with Tucker cores {@code hada_t1}, {@code hada_t2}. */
    LOHA_TUCKER,
    /** LoKr: kron(w1, w2) with at least one low-rank factor. */
    LOKR,
    /** LoKr whose w2 has a Tucker core {@code lokr_t2}. */
    LOKR_TUCKER,
    /** LoKr with both factors full ({@code lokr_w1}, {@code lokr_w2}). */
    LOKR_FULL,
    /** A full weight difference {@code diff} (and {@code diff_b}). */
    FULL,
    /** (IA)^3: the weight scaled per output or per input. */
    IA3,
    /** A LoRA/LoCon with {@code dora_scale} per input channel (A1111, LyCORIS {@code wd_on_out=False}). */
    DORA,
    /** A LoRA/LoCon with {@code dora_scale} per output channel (LyCORIS {@code wd_on_out=True}). */
    DORA_OUT;

    /** Lower-case name as in the fixtures and {@code info --json}: {@code lora}, {@code loha_tucker}, ... */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
