package org.dl4jpgm.examples.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ConvertersTest {

    @Test
    void shapesAreColonSeparatedPositiveWholeNumbers() {
        assertArrayEquals(new long[]{96, 768, 1536}, new Converters.ProductShape().convert("96:768:1536"));
        assertArrayEquals(new long[]{3, 32, 768}, new Converters.GroupedShape().convert("3:32:768"));
    }

    @Test
    void badShapesNameThePatternAndTheValue() {
        for (String bad : new String[]{"96:768", "96:768:0", "96:x:768", "1:2:3:4", "96:768:", ""}) {
            TypeConversionException e = assertThrows(TypeConversionException.class,
                    () -> new Converters.ProductShape().convert(bad), bad);
            assertEquals("expects M:K:N (3 whole numbers >= 1), found '" + bad + "'", e.getMessage());
        }
    }
}
