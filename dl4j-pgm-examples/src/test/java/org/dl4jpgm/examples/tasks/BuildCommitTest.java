package org.dl4jpgm.examples.tasks;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link BuildCommit}: the build's record is read and checked, and a Maven build of a checkout records the checkout's
 * commit.
 */
class BuildCommitTest {

    private static InputStream props(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void theBuildsRecordIsRead() throws IOException {
        String id = "0123456789abcdef0123456789abcdef01234567";
        BuildCommit b = BuildCommit.parse(props("#Generated\ngit.commit.id.full=" + id + "\ngit.dirty=true\n"), "f");
        assertEquals(new BuildCommit(id, true, "build"), b);
        assertEquals(id + " (the build's, from a working tree with uncommitted changes)", b.describe());
        assertEquals(id + " (the build's)", BuildCommit.parse(props("git.commit.id.full=" + id + "\ngit.dirty=false"),
                "f").describe());
        assertNull(BuildCommit.parse(props("git.dirty=false\n"), "f"), "no repository at build time: no commit");
    }

    @Test
    void aBrokenRecordIsRefusedNamingTheFileAndKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BuildCommit.parse(props("git.commit.id.full=51828c5\ngit.dirty=false"), "build-commit.properties"));
        assertEquals("build-commit.properties: key 'git.commit.id.full' expects 40 hex digits, found '51828c5'",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> BuildCommit.parse(
                props("git.commit.id.full=0123456789abcdef0123456789abcdef01234567\ngit.dirty=maybe"), "b.properties"));
        assertEquals("b.properties: key 'git.dirty' expects true or false, found 'maybe'", e.getMessage());
    }

    @Test
    void aMavenBuildOfACheckoutRecordsItsCommit() throws IOException {
        // the build writes the record at Maven's initialize phase, before these tests run
        try (InputStream in = BuildCommit.class.getResourceAsStream(BuildCommit.RESOURCE)) {
            String head = BuildCommit.checkoutHead();
            if (head == null) {
                assertTrue(in == null || BuildCommit.parse(in, BuildCommit.RESOURCE) == null,
                        "no checkout, no commit recorded");
                return;
            }
            assertNotNull(in, "a build in a git checkout writes " + BuildCommit.RESOURCE);
        }
        BuildCommit b = BuildCommit.current();
        assertEquals("build", b.source());
        assertEquals(BuildCommit.checkoutHead(), b.commit(), "built from the checkout's HEAD");
        assertNotNull(b.dirty());
    }
}
