package org.dl4jpgm.examples;

import java.nio.file.Path;

/**
 * The folder the mains' default outputs go under ({@code mainjob-out/}, {@code tasks-out/<task>/}), the same whatever
 * the working directory: the system property {@value #PROPERTY} when set (the examples' Maven configuration sets it to
 * the checkout's root for {@code exec:java}), else the working directory. An explicit {@code --out} is taken as given.
 */
public final class ProjectHome {

    /** System property naming the folder default outputs go under. */
    public static final String PROPERTY = "dl4jpgm.home";

    private ProjectHome() {
    }

    /** The folder default outputs go under, absolute and normalised. */
    public static Path dir() {
        String p = System.getProperty(PROPERTY);
        return (p == null || p.isBlank() ? Path.of("") : Path.of(p)).toAbsolutePath().normalize();
    }

    /** {@code first/more...} under {@link #dir()}. */
    public static Path resolve(String first, String... more) {
        return dir().resolve(Path.of(first, more));
    }
}
