package org.dl4jpgm.examples.tasks;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

/**
 * The git commit that a run's code comes from, for its provenance ({@link RunProvenance}).
 *
 * <p>Where the build wrote {@value #RESOURCE} (git-commit-id-maven-plugin, in the examples module's {@code pom.xml}):
 * the commit the classes were built from and whether that working tree had changes not committed. That is the
 * code that ran, wherever the jars are run from. Otherwise (classes compiled without Maven, a build outside a git
 * checkout): the commit of the checkout the program runs in ({@code git rev-parse HEAD}), which may differ from the
 * code that ran, and no dirty flag; or nothing.
 *
 * @param commit the full commit id (40 hex digits), or null when neither source has one
 * @param dirty  whether the build's working tree had uncommitted changes; null when unknown (not from the build)
 * @param source {@code build}, {@code checkout} or {@code none}
 */
public record BuildCommit(String commit, Boolean dirty, String source) {

    /** The resource the build writes, on the class path of this module's classes. */
    public static final String RESOURCE = "/org/dl4jpgm/examples/build-commit.properties";

    private static final String COMMIT_KEY = "git.commit.id.full";
    private static final String DIRTY_KEY = "git.dirty";

    /**
     * The commit of this program's code: from the build if it recorded one, else from the checkout. Read once per
     * process (the classes do not change while it runs; the fallback starts a {@code git} process).
     */
    public static BuildCommit current() {
        return Current.VALUE;
    }

    /** Holds {@link #read()}'s result, computed when first asked for. */
    private static final class Current {
        static final BuildCommit VALUE = read();
    }

    private static BuildCommit read() {
        try (InputStream in = BuildCommit.class.getResourceAsStream(RESOURCE)) {
            if (in != null) {
                BuildCommit b = parse(in, RESOURCE);
                if (b != null) {
                    return b;
                }
            }
        } catch (IOException e) {
            // unreadable resource: fall back to the checkout, as without one
        }
        String head = checkoutHead();
        return head != null ? new BuildCommit(head, null, "checkout") : new BuildCommit(null, null, "none");
    }

    /**
     * The build's record in {@code in} (a properties file with {@code git.commit.id.full} and {@code git.dirty}); null
     * when the file holds no commit (the build found no git repository).
     *
     * @param name the file's name, for the message
     * @throws IllegalArgumentException naming the file, the key and the value, for a commit that is not 40 hex digits
     *                                  or a dirty flag that is not true or false
     */
    public static BuildCommit parse(InputStream in, String name) throws IOException {
        Properties p = new Properties();
        p.load(new java.io.InputStreamReader(in, StandardCharsets.ISO_8859_1));
        String commit = p.getProperty(COMMIT_KEY);
        if (commit == null || commit.isBlank()) {
            return null;
        }
        commit = commit.trim();
        if (!commit.matches("[0-9a-f]{40}")) {
            throw new IllegalArgumentException(name + ": key '" + COMMIT_KEY + "' expects 40 hex digits, found '"
                    + commit + "'");
        }
        String dirty = p.getProperty(DIRTY_KEY, "").trim();
        if (!dirty.equals("true") && !dirty.equals("false")) {
            throw new IllegalArgumentException(name + ": key '" + DIRTY_KEY + "' expects true or false, found '"
                    + dirty + "'");
        }
        return new BuildCommit(commit, Boolean.parseBoolean(dirty), "build");
    }

    /** The commit of the checkout the program runs in ({@code git rev-parse HEAD}), or null when there is none. */
    public static String checkoutHead() {
        try {
            Process p = new ProcessBuilder("git", "rev-parse", "HEAD").directory(org.dl4jpgm.examples.ProjectHome.dir()
                    .toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return p.waitFor() == 0 && out.matches("[0-9a-f]{40}") ? out : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** For a results file: the commit, and in words where it comes from ({@link #origin()}). */
    public String describe() {
        return commit == null ? "unknown" : commit + " (" + origin() + ")";
    }

    /** In words, where the commit comes from, e.g. {@code the build's}; empty without a commit. */
    public String origin() {
        return switch (source) {
            case "build" -> dirty ? "the build's, from a working tree with uncommitted changes" : "the build's";
            case "checkout" -> "the checkout's; the build recorded none";
            default -> "";
        };
    }
}
