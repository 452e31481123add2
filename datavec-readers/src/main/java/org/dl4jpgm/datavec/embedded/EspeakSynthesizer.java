package org.dl4jpgm.datavec.embedded;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/** {@link SpeechSynthesizer} that runs {@code espeak-ng -v voice -s speed -p pitch -w out word}. */
public final class EspeakSynthesizer implements SpeechSynthesizer {

    private final String command;

    /** @param command the espeak-ng executable (e.g. "espeak-ng") */
    public EspeakSynthesizer(String command) {
        this.command = command;
    }

    @Override
    public void speak(String word, Voice voice, Path out) throws IOException {
        List<String> cmd = List.of(command, "-v", voice.espeakVoice(), "-s", Integer.toString(voice.speed()),
                "-p", Integer.toString(voice.pitch()), "-w", out.toString(), word);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            int rc = p.waitFor();
            if (rc != 0) {
                throw new IOException("espeak-ng failed (exit " + rc + ") for " + cmd + ": " + log.trim());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + cmd, e);
        }
    }

    /** {@code espeak-ng --version}, trimmed, or "unavailable: ..." */
    public String version() {
        try {
            Process p = new ProcessBuilder(command, "--version").redirectErrorStream(true).start();
            String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor();
            return s;
        } catch (IOException | InterruptedException e) {
            return "unavailable: " + e.getMessage();
        }
    }
}
