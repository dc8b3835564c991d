package dev.animagine.server.webui;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The web UI's Extras (batch size, DeepCache, CFG cutoff, variation seed, seed resize) in headless
 * Chromium against a real server on the miniature model, as {@link WebUiBrowserTest}: the page's job
 * bodies are recorded in the browser, and what the server did is read back from the job's record
 * (its images and their infotext). Every test fails on any error in the browser's console.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebUiExtrasBrowserTest extends WebUiPageTest {
    private static final List<String> EXTRA_FIELDS = List.of("batch_size", "deepcache_interval", "cfg_cutoff", "subseed",
            "subseed_strength", "seed_resize_from_w", "seed_resize_from_h");

    WebUiExtrasBrowserTest() {
        super("webui-extras-outputs", Duration.ofSeconds(90));
    }

    @Test
    @Order(1)
    void extrasStartOffAndAJobWithThemOffSendsNoneOfTheirFields() throws Exception {
        open();
        assertThat(browser.driver.findElement(By.cssSelector("#extras-group > summary")).getText()).isEqualTo("Extras");
        openExtras();
        Map<String, String> defaults = Map.of("batch-size", "1", "deepcache", "0", "cfg-cutoff", "1", "subseed", "-1",
                "subseed-strength", "0", "seed-resize-w", "0", "seed-resize-h", "0");
        defaults.forEach((id, value) -> assertThat(value(id)).as(id).isEqualTo(value));
        browser.js("document.getElementById('extras-group').scrollIntoView();");
        browser.screenshot("20-extras");

        JsonNode job = generate(64, 64, 2, 4321, 1);
        JsonNode sent = sentBodies().getLast();
        for (String field : EXTRA_FIELDS) assertThat(sent.has(field)).as("%s sent with the extras off: %s", field, sent).isFalse();
        assertThat(job.path("images")).hasSize(1);
        String infotext = job.path("images").get(0).path("parameters").asText();
        assertThat(infotext).contains("Seed: 4321").doesNotContain("DeepCache").doesNotContain("CFG cutoff").doesNotContain("Variation seed");
    }

    @Test
    @Order(2)
    void batchWithDeepCacheCfgCutoffAndAVariationSeedReachesTheServerAndShowsEveryImage() throws Exception {
        open();
        openExtras();
        type("batch-size", "2");
        type("deepcache", "2");
        type("cfg-cutoff", "0.5");
        type("subseed", "777");
        type("subseed-strength", "0.3");
        int before = count("#gallery .thumb");
        JsonNode job = generate(64, 64, 4, 1234, 2);

        JsonNode sent = sentBodies().getLast();
        assertThat(sent.path("batch_size").asInt()).isEqualTo(2);
        assertThat(sent.path("deepcache_interval").asInt()).isEqualTo(2);
        assertThat(sent.path("cfg_cutoff").asDouble()).isEqualTo(0.5);
        assertThat(sent.path("subseed").asLong()).isEqualTo(777);
        assertThat(sent.path("subseed_strength").asDouble()).isEqualTo(0.3);
        assertThat(sent.has("seed_resize_from_w")).isFalse();

        // the server ran one batch of two with A1111's numbering (with a variation seed, the seed stays and the
        // variation seed counts up), and each infotext has the savings
        JsonNode images = job.path("images");
        assertThat(images).hasSize(2);
        for (int i = 0; i < 2; i++) {
            JsonNode image = images.get(i);
            assertThat(image.path("seed").asLong()).isEqualTo(1234);
            assertThat(image.path("parameters").asText()).as("image %d's infotext", i)
                    .contains("Seed: 1234,").contains("DeepCache: 2").contains("CFG cutoff: 0.5")
                    .contains("Variation seed: " + (777 + i)).contains("Variation seed strength: 0.3");
        }
        // the history shows both images, each with its own infotext
        waitFor("both images in the history", () -> count("#gallery .thumb") == before + 2);
        List<String> shown = new ArrayList<>();
        for (WebElement thumb : browser.driver.findElements(By.cssSelector("#gallery .thumb")).subList(0, 2)) {
            thumb.click();
            shown.add(text("viewer-infotext"));
        }
        assertThat(shown).anyMatch(t -> t.contains("Variation seed: 777")).anyMatch(t -> t.contains("Variation seed: 778"));
        List<String> urls = images.findValuesAsText("url");
        assertThat(browser.driver.findElements(By.cssSelector("#gallery .thumb")).subList(0, 2).stream()
                .map(t -> t.getDomAttribute("data-url")).toList()).containsExactlyInAnyOrderElementsOf(urls);
        browser.screenshot("21-extras-batch");

        // without a variation seed, a batch's seeds count up
        type("subseed-strength", "0");
        JsonNode plain = generate(64, 64, 2, 1234, 2);
        assertThat(sentBodies().getLast().has("subseed")).isFalse();
        assertThat(plain.path("images").findValues("seed").stream().map(JsonNode::asLong).toList()).containsExactly(1234L, 1235L);
        assertThat(plain.path("images").get(1).path("parameters").asText()).contains("Seed: 1235,").doesNotContain("Variation seed");
    }

    @Test
    @Order(3)
    void pastedOrDroppedParametersFillTheExtras() throws Exception {
        open();
        String infotext = "1girl, solo\nNegative prompt: lowres\nSteps: 12, Sampler: Euler a, Schedule type: Automatic, CFG scale: 6, "
                + "Seed: 42, Variation seed: 99, Variation seed strength: 0.25, Seed resize from: 512x768, Size: 64x64, "
                + "DeepCache: 3, CFG cutoff: 0.4";
        // pasted as text, as copied from another UI's infotext
        browser.js("""
                const data = new DataTransfer();
                data.setData('text/plain', arguments[0]);
                document.body.dispatchEvent(new ClipboardEvent('paste', {bubbles: true, cancelable: true, clipboardData: data}));""",
                infotext);
        waitFor("the parameters dialog", () -> browser.driver.findElement(By.id("png-dialog")).isDisplayed());
        assertThat(text("png-text")).isEqualTo(infotext);
        click("png-load");
        assertThat(value("steps")).isEqualTo("12");
        assertThat(value("seed")).isEqualTo("42");
        assertThat(browser.driver.findElement(By.id("extras-group")).getDomProperty("open")).isEqualTo("true");
        assertThat(value("deepcache")).isEqualTo("3");
        assertThat(value("cfg-cutoff")).isEqualTo("0.4");
        assertThat(value("subseed")).isEqualTo("99");
        assertThat(value("subseed-strength")).isEqualTo("0.25");
        assertThat(value("seed-resize-w")).isEqualTo("512");
        assertThat(value("seed-resize-h")).isEqualTo("768");
        browser.screenshot("22-extras-pasted");

        // a PNG whose infotext has none of them turns them off again
        byte[] png = http.send(HttpRequest.newBuilder(URI.create(server.url() + firstImageUrl())).build(),
                HttpResponse.BodyHandlers.ofByteArray()).body();
        drop("plain.png", TestPngs.withText(png, "parameters", "1girl\nSteps: 20, Sampler: Euler a, CFG scale: 5, Seed: 7, Size: 64x64"));
        waitFor("the PNG dialog", () -> browser.driver.findElement(By.id("png-dialog")).isDisplayed());
        click("png-load");
        assertThat(value("steps")).isEqualTo("20");
        assertThat(value("deepcache")).isEqualTo("0");
        assertThat(value("cfg-cutoff")).isEqualTo("1");
        assertThat(value("subseed")).isEqualTo("-1");
        assertThat(value("subseed-strength")).isEqualTo("0");
        assertThat(value("seed-resize-w")).isEqualTo("0");

        // and a dropped PNG with them sets them
        drop("extras.png", TestPngs.withText(png, "parameters", infotext));
        waitFor("the PNG dialog", () -> browser.driver.findElement(By.id("png-dialog")).isDisplayed());
        click("png-load");
        assertThat(value("deepcache")).isEqualTo("3");
        assertThat(value("cfg-cutoff")).isEqualTo("0.4");
        assertThat(value("subseed")).isEqualTo("99");
        assertThat(value("subseed-strength")).isEqualTo("0.25");
    }

    @Test
    @Order(4)
    void anOutOfRangeExtraIsRefusedWithItsLabelBeforeAnyRequest() throws Exception {
        open();
        openExtras();
        recordJobBodies();
        type("prompt", "1girl");
        type("cfg-cutoff", "1.5");
        click("generate");
        waitFor("the error", () -> browser.driver.findElement(By.id("error")).isDisplayed());
        assertThat(text("error")).startsWith("CFG cutoff:").contains("1.5");
        assertThat(sentBodies()).isEmpty();
    }

    // ---- helpers

    /** Generates from the form (verbatim prompt) and returns the finished job's record once the history shows its images. */
    private JsonNode generate(int width, int height, int steps, long seed, int images) throws Exception {
        type("prompt", "1girl, solo");
        if (checked("anim-enabled")) click("anim-enabled");
        type("width", Integer.toString(width));
        type("height", Integer.toString(height));
        type("steps", Integer.toString(steps));
        type("seed", Long.toString(seed));
        recordJobBodies();
        int before = count("#gallery .thumb");
        click("generate");
        waitFor("the job's images in the history", () -> count("#gallery .thumb") == before + images);
        String id = (String) browser.js("return window.__jobIds[window.__jobIds.length - 1] ?? null;");
        assertThat(id).as("the job's id as the server answered").isNotNull();
        waitFor("the job done", () -> "done".equals(job(id).path("state").asText()));
        return job(id);
    }

    /** Records in the page the bodies it POSTs to /api/v1/jobs and the ids the server answers. */
    private void recordJobBodies() {
        browser.js("""
                window.__jobBodies = [];
                window.__jobIds = [];
                if (!window.__fetch) window.__fetch = window.fetch;
                window.fetch = async (path, init) => {
                  const response = await window.__fetch(path, init);
                  if (path === '/api/v1/jobs' && init?.method === 'POST') {
                    window.__jobBodies.push(init.body);
                    const answer = await response.clone().json().catch(() => ({}));
                    if (answer.id != null) window.__jobIds.push(String(answer.id));
                  }
                  return response;
                };""");
    }

    private List<JsonNode> sentBodies() throws IOException {
        @SuppressWarnings("unchecked")
        List<String> bodies = (List<String>) browser.js("return window.__jobBodies ?? [];");
        List<JsonNode> parsed = new ArrayList<>();
        for (String b : bodies) parsed.add(JSON.readTree(b));
        return parsed;
    }

    private String firstImageUrl() throws Exception {
        if (count("#gallery .thumb") == 0) generate(64, 64, 1, 5, 1);
        return browser.driver.findElement(By.cssSelector("#gallery .thumb")).getDomAttribute("data-url");
    }

    private void openExtras() {
        if (!"true".equals(browser.driver.findElement(By.id("extras-group")).getDomProperty("open")))
            browser.driver.findElement(By.cssSelector("#extras-group > summary")).click();
    }
}
