package dev.animagine.core.animagine;

/** Where a version wants its quality tags: 3.x cards say "prepend", the 4.0 card says "end with". */
public enum QualityPlacement {
    FIRST, LAST
}
