package org.dl4jpgm.impl;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FastPathSwitchTest {

    private static final String KEY = "org.dl4jpgm.test.fastPathSwitch";

    @Test
    void onlyFalseInAnyCaseSwitchesAFastPathOff() {
        try {
            System.clearProperty(KEY);
            assertTrue(FastPathSwitch.on(KEY), "unset");
            for (String off : new String[] {"false", "FALSE", "False"}) {
                System.setProperty(KEY, off);
                assertFalse(FastPathSwitch.on(KEY), off);
            }
            for (String on : new String[] {"true", "", "0", "no", "off", " false"}) {
                System.setProperty(KEY, on);
                assertTrue(FastPathSwitch.on(KEY), "'" + on + "'");
            }
        } finally {
            System.clearProperty(KEY);
        }
    }
}
