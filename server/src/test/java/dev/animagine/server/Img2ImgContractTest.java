package dev.animagine.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Base64;

import static dev.animagine.server.A1111ContractTest.error;
import static dev.animagine.server.A1111ContractTest.ok;
import static org.assertj.core.api.Assertions.assertThat;

/** img2img, inpainting and the hires fix through A1111's routes, OpenAI's edits and the native job API, on the miniature model. */
class Img2ImgContractTest {
    static final TestServer S = TestServer.get();

    @BeforeEach
    void idle() {
        S.awaitIdle();
    }

    @Test
    void img2imgTakesBareBase64AndDataUrlsWithA1111Defaults() {
        String init = Base64.getEncoder().encodeToString(gradient(64, 64));
        JsonNode r = ok(S.post("/sdapi/v1/img2img", "{\"prompt\":\"1girl\",\"init_images\":[\"" + init + "\"],\"steps\":2,\"width\":64,\"height\":64,"
                + "\"seed\":5,\"denoising_strength\":0.5}"));
        assertThat(r.get("images")).hasSize(1);
        BufferedImage out = image(r.get("images").get(0).asText());
        assertThat(out.getWidth()).isEqualTo(64);
        String infotext = PngText.read(Base64.getDecoder().decode(r.get("images").get(0).asText())).get("parameters");
        assertThat(infotext).contains("Denoising strength: 0.5", "Seed: 5", "Size: 64x64");
        JsonNode info = TestServer.json(new A1111ContractTest.Fake(r.get("info").asText()));
        assertThat(info.get("denoising_strength").asDouble()).isEqualTo(0.5);
        assertThat(r.get("parameters").get("init_images").isNull()).isTrue(); // not echoed back

        // a data: URL, another size with crop-and-resize, A1111's default strength 0.75
        JsonNode d = ok(S.post("/sdapi/v1/img2img", "{\"prompt\":\"1girl\",\"init_images\":[\"data:image/png;base64," + init + "\"],"
                + "\"steps\":1,\"width\":48,\"height\":64,\"resize_mode\":1}"));
        BufferedImage cropped = image(d.get("images").get(0).asText());
        assertThat(cropped.getWidth()).isEqualTo(48);
        assertThat(cropped.getHeight()).isEqualTo(64);
        assertThat(PngText.read(Base64.getDecoder().decode(d.get("images").get(0).asText())).get("parameters")).contains("Denoising strength: 0.75");
    }

    @Test
    void inpaintingKeepsWhatTheMaskLeavesAlone() {
        byte[] init = gradient(64, 64);
        String mask = Base64.getEncoder().encodeToString(halfMask(64, 64));
        JsonNode r = ok(S.post("/sdapi/v1/img2img", "{\"prompt\":\"1girl\",\"init_images\":[\"" + Base64.getEncoder().encodeToString(init)
                + "\"],\"mask\":\"data:image/png;base64," + mask + "\",\"steps\":2,\"width\":64,\"height\":64,\"seed\":3,"
                + "\"denoising_strength\":0.9,\"inpainting_fill\":1,\"inpaint_full_res\":false,\"mask_blur\":2}"));
        String b64 = r.get("images").get(0).asText();
        BufferedImage out = image(b64);
        BufferedImage in = decode(init);
        // far from the mask's edge on the kept (black) side, A1111 pastes the original back
        for (int y = 0; y < 64; y += 7) assertThat(out.getRGB(4, y) & 0xFFFFFF).as("kept pixel 4,%d", y).isEqualTo(in.getRGB(4, y) & 0xFFFFFF);
        int changed = 0;
        for (int y = 0; y < 64; y++) for (int x = 40; x < 64; x++) if ((out.getRGB(x, y) & 0xFFFFFF) != (in.getRGB(x, y) & 0xFFFFFF)) changed++;
        assertThat(changed).as("repainted pixels").isPositive();
        assertThat(PngText.read(Base64.getDecoder().decode(b64)).get("parameters")).contains("Mask blur: 2", "Denoising strength: 0.9");
    }

    @Test
    void txt2imgRunsTheHiresFix() {
        JsonNode r = ok(S.post("/sdapi/v1/txt2img", "{\"prompt\":\"1girl\",\"steps\":1,\"width\":64,\"height\":64,\"seed\":11,\"enable_hr\":true,"
                + "\"hr_scale\":1.5,\"hr_upscaler\":\"Latent (nearest-exact)\",\"denoising_strength\":0.55,\"hr_second_pass_steps\":1}"));
        String b64 = r.get("images").get(0).asText();
        assertThat(image(b64).getWidth()).isEqualTo(96);
        assertThat(PngText.read(Base64.getDecoder().decode(b64)).get("parameters"))
                .contains("Hires upscale: 1.5", "Hires upscaler: Latent (nearest-exact)", "Denoising strength: 0.55");
        // one side of hr_resize: the other keeps the aspect ratio; no upscaler named: Latent
        JsonNode s = ok(S.post("/sdapi/v1/txt2img", "{\"prompt\":\"1girl\",\"steps\":1,\"width\":64,\"height\":32,\"enable_hr\":true,"
                + "\"hr_resize_x\":128,\"hr_second_pass_steps\":1,\"hr_sampler_name\":\"Euler\",\"hr_scheduler\":\"Use same scheduler\"}"));
        BufferedImage resized = image(s.get("images").get(0).asText());
        assertThat(resized.getWidth()).isEqualTo(128);
        assertThat(resized.getHeight()).isEqualTo(64);
    }

    @Test
    void badImageFieldsAnswer4xxNamingTheField() {
        String png = Base64.getEncoder().encodeToString(gradient(16, 16));
        String base = "{\"prompt\":\"a\",\"steps\":1,\"width\":16,\"height\":16,\"init_images\":[\"" + png + "\"]";
        error(S.post("/sdapi/v1/img2img", base + ",\"denoising_strength\":0}"), 422, "denoising_strength");
        error(S.post("/sdapi/v1/img2img", base + ",\"denoising_strength\":1.5}"), 422, "denoising_strength");
        error(S.post("/sdapi/v1/img2img", base + ",\"resize_mode\":4}"), 422, "resize_mode");
        error(S.post("/sdapi/v1/img2img", base + ",\"mask\":\"not base64!\"}"), 400, "mask");
        error(S.post("/sdapi/v1/img2img", base + ",\"mask\":\"" + png + "\",\"inpainting_fill\":4}"), 422, "inpainting_fill");
        error(S.post("/sdapi/v1/img2img", "{\"prompt\":\"a\"}"), 422, "init_images");
        String hr = "{\"prompt\":\"a\",\"steps\":1,\"width\":64,\"height\":64,\"enable_hr\":true";
        error(S.post("/sdapi/v1/txt2img", hr + ",\"hr_sampler_name\":\"nope\"}"), 422, "hr_sampler_name");
        error(S.post("/sdapi/v1/txt2img", hr + ",\"hr_upscaler\":\"SwinIR 4x\"}"), 422, "hr_upscaler");
        error(S.post("/sdapi/v1/txt2img", hr + ",\"hr_scale\":9}"), 422, "hr_scale");
        error(S.post("/sdapi/v1/txt2img", hr + ",\"hr_resize_x\":100}"), 422, "hr_resize_x");
        error(S.post("/sdapi/v1/txt2img", hr + ",\"hr_scheduler\":\"Exotic\"}"), 422, "hr_scheduler");
        error(S.post("/sdapi/v1/txt2img", hr + ",\"hr_checkpoint_name\":\"other.safetensors\"}"), 422, "hr_checkpoint_name");
    }

    @Test
    void nativeJobsTakeTheSameFields() {
        String png = Base64.getEncoder().encodeToString(gradient(64, 64));
        JsonNode accepted = NativeAndOpenAiContractTest.status(S.post("/api/v1/jobs", "{\"prompt\":\"1girl\",\"steps\":1,\"size\":\"64x64\","
                + "\"init_images\":[\"" + png + "\"],\"mask\":\"" + Base64.getEncoder().encodeToString(halfMask(64, 64)) + "\","
                + "\"denoising_strength\":0.6,\"save\":false}"), 202);
        assertThat(accepted.get("id").asText()).isNotBlank();
        NativeAndOpenAiContractTest.status(S.post("/api/v1/jobs", "{\"prompt\":\"x\",\"mask\":\"" + png + "\"}"), 422);
        NativeAndOpenAiContractTest.status(S.post("/api/v1/jobs", "{\"prompt\":\"x\",\"size\":\"64x64\",\"enable_hr\":true,\"hr_upscaler\":\"ESRGAN\"}"), 422);
        S.awaitIdle();
        JsonNode job = NativeAndOpenAiContractTest.status(S.get("/api/v1/jobs/" + accepted.get("id").asText()), 200);
        assertThat(job.get("state").asText()).as(job.toString()).isEqualTo("done");
        assertThat(job.get("images")).hasSize(1);
    }

    @Test
    void openAiEditsRunImg2ImgAndInpaintWithTransparentMeaningEdit() throws Exception {
        byte[] init = gradient(64, 64);
        // OpenAI's mask: transparent where edited (the right half)
        BufferedImage m = new BufferedImage(64, 64, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < 64; y++) for (int x = 0; x < 64; x++) m.setRGB(x, y, x >= 32 ? 0x00000000 : 0xFF000000);
        JsonNode r = edit(init, png(m), 200);
        String b64 = r.get("data").get(0).get("b64_json").asText();
        BufferedImage out = image(b64);
        assertThat(out.getWidth()).isEqualTo(64);
        BufferedImage in = decode(init);
        for (int y = 0; y < 64; y += 7) assertThat(out.getRGB(2, y) & 0xFFFFFF).as("kept pixel 2,%d", y).isEqualTo(in.getRGB(2, y) & 0xFFFFFF);
        assertThat(PngText.read(Base64.getDecoder().decode(b64)).get("parameters")).contains("Denoising strength: 0.75", "Mask blur: 4");
        // no mask: img2img of the whole picture
        JsonNode whole = edit(init, null, 200);
        assertThat(PngText.read(Base64.getDecoder().decode(whole.get("data").get(0).get("b64_json").asText())).get("parameters"))
                .contains("Denoising strength: 0.75").doesNotContain("Mask blur");
    }

    private static JsonNode edit(byte[] image, byte[] mask, int status) throws IOException {
        String boundary = "----animagine-edit";
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (String[] f : new String[][] {{"prompt", "make it red"}, {"steps", "1"}, {"seed", "4"}})
            body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + f[0] + "\"\r\n\r\n" + f[1] + "\r\n").getBytes());
        part(body, boundary, "image", image);
        if (mask != null) part(body, boundary, "mask", mask);
        body.write(("--" + boundary + "--\r\n").getBytes());
        HttpResponse<String> r = S.send(S.request("/v1/images/edits").header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build());
        return NativeAndOpenAiContractTest.status(r, status);
    }

    private static void part(ByteArrayOutputStream body, String boundary, String name, byte[] png) throws IOException {
        body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"; filename=\"" + name
                + ".png\"\r\nContent-Type: image/png\r\n\r\n").getBytes());
        body.write(png);
        body.write("\r\n".getBytes());
    }

    /** A colour gradient, so kept and repainted pixels can be told apart. */
    static byte[] gradient(int w, int h) {
        BufferedImage im = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) im.setRGB(x, y, (x * 255 / w) << 16 | (y * 255 / h) << 8 | 128);
        return png(im);
    }

    /** A1111's mask: white (repaint) on the right half. */
    static byte[] halfMask(int w, int h) {
        BufferedImage im = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) for (int x = w / 2; x < w; x++) im.setRGB(x, y, 0xFFFFFF);
        return png(im);
    }

    static byte[] png(BufferedImage im) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(im, "png", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static BufferedImage image(String base64) {
        return decode(Base64.getDecoder().decode(base64));
    }

    static BufferedImage decode(byte[] png) {
        try {
            return ImageIO.read(new ByteArrayInputStream(png));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
