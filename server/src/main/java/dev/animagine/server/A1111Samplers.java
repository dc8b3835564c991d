package dev.animagine.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.animagine.core.InvalidArgumentException;
import dev.animagine.core.sampling.a1111.A1111Sampler;
import dev.animagine.core.sampling.a1111.SigmaSchedule;

/**
 * A1111's samplers and schedule types in the {@code /sdapi/v1} API: the lists A1111 answers
 * ({@code GET samplers}, {@code GET schedulers}) and the names a request gives. The names go to the
 * engine as they are (A1111 names, aliases, pre-1.9 combined names such as "DPM++ 2M Karras"); the
 * engine's request validation refuses unknown ones, so the API accepts exactly what the CLI does.
 */
final class A1111Samplers {
    private A1111Samplers() {}

    /**
     * The sampler and schedule a txt2img/img2img body asks for.
     *
     * @param field    the API field that named the sampler: sampler_name, or the older sampler_index
     * @param sampler  the name as sent (A1111's default "Euler" when absent)
     * @param schedule the scheduler as sent ("default", the sampler's own, when absent)
     */
    record Selection(String field, String sampler, String schedule) {
        /** A1111's name of the sampler, for the answer's info; call after the engine validated the request. */
        String samplerLabel() {
            return A1111Sampler.parse(sampler, schedule()).sampler().label();
        }

        /**
         * The schedule type A1111 writes for the first pass: the one asked for, else the sampler's default;
         * null when the sampler runs on the model's own sigmas or on timesteps (A1111 writes none then).
         */
        String scheduleLabel() {
            A1111Sampler.Choice c = A1111Sampler.parse(sampler, schedule());
            if (c.sampler().timestepBased()) return null;
            SigmaSchedule s = c.schedule() == SigmaSchedule.AUTOMATIC ? c.sampler().defaultSchedule() : c.schedule();
            return s == null || s == SigmaSchedule.AUTOMATIC ? null : s.label();
        }

        @Override
        public String schedule() {
            return schedule == null || schedule.isBlank() ? null : schedule;
        }
    }

    static Selection selection(ObjectNode body, String defaultSampler) {
        String field = Fields.given(body, "sampler_name") ? "sampler_name" : "sampler_index";
        String name = Fields.string(body, field, defaultSampler, 200);
        if (name.isBlank()) name = defaultSampler;
        String scheduler = Fields.string(body, "scheduler", null, 200);
        return new Selection(field, name.strip(), scheduler == null ? null : scheduler.strip());
    }

    /** The engine's schedule name for a selection: the scheduler as sent, or "default" (A1111's Automatic). */
    static String engineSchedule(Selection s) {
        return s.schedule() == null ? "default" : s.schedule();
    }

    /**
     * A hires sampler name that carries A1111's {@code hr_scheduler}: the sampler's A1111 name followed by the
     * schedule type's label ("DPM++ 2M Karras"), the combined form the engine's hires pass takes a schedule in.
     *
     * @param field the API field that named the sampler (hr_sampler_name, or the first pass's)
     */
    static String withSchedule(String field, String sampler, String hrScheduler) {
        String label;
        try {
            label = A1111Sampler.parse(sampler, null).sampler().label();
        } catch (InvalidArgumentException e) {
            throw ApiException.unprocessable(field, e.getMessage());
        }
        try {
            return label + " " + SigmaSchedule.byName(hrScheduler).label();
        } catch (InvalidArgumentException e) {
            throw ApiException.unprocessable("hr_scheduler", e.getMessage());
        }
    }

    /** {@code GET /sdapi/v1/samplers}: A1111's {@code [{name, aliases, options}]}, options as A1111's strings. */
    static ArrayNode list() {
        ArrayNode a = Json.MAPPER.createArrayNode();
        for (A1111Sampler s : A1111Sampler.values()) {
            ObjectNode o = a.addObject();
            o.put("name", s.label());
            ArrayNode aliases = o.putArray("aliases");
            s.aliases().forEach(aliases::add);
            ObjectNode options = o.putObject("options");
            if (s.defaultSchedule() != null) options.put("scheduler", s.defaultSchedule().id());
            if (s.discardNextToLastSigma()) options.put("discard_next_to_last_sigma", "True");
            if (s.usesEnsd()) options.put("uses_ensd", "True");
            if (s.secondOrder()) options.put("second_order", "True");
            if (s.brownianNoise()) options.put("brownian_noise", "True");
            // A1111's DPM++ 2M SDE Heun is sample_dpmpp_2m_sde with this option
            if (s == A1111Sampler.DPMPP_2M_SDE_HEUN) options.put("solver_type", "heun");
        }
        return a;
    }

    /** {@code GET /sdapi/v1/schedulers}: A1111's {@code [{name, label, aliases, default_rho, need_inner_model}]}. */
    static ArrayNode schedulers() {
        ArrayNode a = Json.MAPPER.createArrayNode();
        for (SigmaSchedule t : SigmaSchedule.values()) {
            ObjectNode o = a.addObject();
            o.put("name", t.id());
            o.put("label", t.label());
            if (t.aliases().isEmpty()) {
                o.putNull("aliases");
            } else {
                ArrayNode aliases = o.putArray("aliases");
                t.aliases().forEach(aliases::add);
            }
            o.put("default_rho", t.defaultRho());
            o.put("need_inner_model", t.needsInnerModel());
        }
        return a;
    }
}
