package org.dl4jpgm.impl;

/**
 * The system properties that switch a fast path off. Every fast path of this package computes the same bits as the
 * path it replaces and is on by default; {@code -D<property>=false} (any case) turns it off, for a comparison of the
 * two or to rule one out. Any other value, or none, leaves it on. Each caller decides when it reads its property: the
 * switches of the plans' rewrites when a plan is made, the updater's when an updater is made, the plans' own
 * ({@link OpPlans}) at each pass and {@link FusedParameterStep}'s at each step.
 */
final class FastPathSwitch {

    private FastPathSwitch() {
    }

    /** Whether {@code property} leaves its fast path on: it is unset or holds anything but {@code false}. */
    static boolean on(String property) {
        return !"false".equalsIgnoreCase(System.getProperty(property));
    }
}
