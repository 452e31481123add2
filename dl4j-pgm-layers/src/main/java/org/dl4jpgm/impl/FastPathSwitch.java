package org.dl4jpgm.impl;

/**
 * The system properties that switch a fast path off. Every fast path of this package computes the same bits as the
 * path it replaces and is on by default; {@code -D<property>=false} (any case) turns it off, for a comparison of the
 * two or to rule one out. Any other value, or none, leaves it on. Each caller decides when it reads its property (when
 * a plan or an updater is made, or at each call) and says so where the property is declared.
 */
final class FastPathSwitch {

    private FastPathSwitch() {
    }

    /** Whether {@code property} leaves its fast path on: it is unset or holds anything but {@code false}. */
    static boolean on(String property) {
        return !"false".equalsIgnoreCase(System.getProperty(property));
    }
}
