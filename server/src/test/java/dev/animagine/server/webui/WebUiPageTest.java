package dev.animagine.server.webui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the web UI's browser tests share: a {@link WebUiTestServer} with the miniature model and a
 * headless Chromium for the class, a check after each test that the page logged no console error,
 * and the small page helpers (fields by id, drops, job lookups, waits).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class WebUiPageTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Path TARGET = Path.of("target");
    static final Path SCREENSHOTS = TARGET.resolve("webui-screenshots");

    private final String outputs;
    private final Duration wait;
    WebUiTestServer server;
    HeadlessChromium browser;
    final HttpClient http = HttpClient.newHttpClient();

    /** @param outputs the server's output folder under target/; @param wait how long a wait may take */
    WebUiPageTest(String outputs, Duration wait) {
        this.outputs = outputs;
        this.wait = wait;
    }

    @BeforeAll
    void start() throws Exception {
        server = WebUiTestServer.start(TARGET.resolve(outputs));
        browser = HeadlessChromium.start(Files.createTempDirectory(TARGET.toAbsolutePath(), "chromium-profile"), SCREENSHOTS);
    }

    @AfterAll
    void stop() {
        if (browser != null) browser.close();
        if (server != null) server.close();
    }

    @AfterEach
    void noConsoleErrors(TestInfo test) {
        assertThat(browser.consoleErrors()).as("browser console errors during %s", test.getDisplayName()).isEmpty();
    }

    void open() {
        browser.driver.get(server.url() + "/");
        waitReady();
    }

    void waitReady() {
        waitFor("the page to load", () -> "true".equals(browser.js("return document.body.dataset.ready ?? null;")));
    }

    /** Drops a PNG on the page as a file drag would. */
    void drop(String name, byte[] png) {
        browser.js("""
                const bytes = Uint8Array.from(atob(arguments[1]), (c) => c.charCodeAt(0));
                const data = new DataTransfer();
                data.items.add(new File([bytes], arguments[0], {type: 'image/png'}));
                for (const type of ['dragenter', 'dragover', 'drop']) {
                  document.body.dispatchEvent(new DragEvent(type, {bubbles: true, cancelable: true, dataTransfer: data}));
                }""", name, Base64.getEncoder().encodeToString(png));
    }

    /** The native API's record of a job. */
    JsonNode job(String id) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(server.url() + "/api/v1/jobs/" + id)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(r.body());
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Types into a field; a range input is set and told, as a drag would. */
    void type(String id, String text) {
        WebElement e = browser.driver.findElement(By.id(id));
        if ("range".equals(e.getDomAttribute("type"))) {
            browser.js("arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input', {bubbles: true}));", e, text);
            return;
        }
        e.clear();
        e.sendKeys(text);
    }

    void select(String id, String value) {
        new Select(browser.driver.findElement(By.id(id))).selectByValue(value);
    }

    void click(String id) {
        browser.driver.findElement(By.id(id)).click();
    }

    boolean checked(String id) {
        return browser.driver.findElement(By.id(id)).isSelected();
    }

    String value(String id) {
        return browser.driver.findElement(By.id(id)).getDomProperty("value");
    }

    String text(String id) {
        return (String) browser.js("return document.getElementById(arguments[0]).textContent;", id);
    }

    List<String> texts(String css) {
        return browser.driver.findElements(By.cssSelector(css)).stream().map(WebElement::getText).toList();
    }

    int count(String css) {
        return browser.driver.findElements(By.cssSelector(css)).size();
    }

    void waitFor(String what, Supplier<Boolean> condition) {
        new WebDriverWait(browser.driver, wait).withMessage(() -> "waiting for " + what)
                .until(d -> Boolean.TRUE.equals(condition.get()));
    }
}
