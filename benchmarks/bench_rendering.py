"""Rendering hostile 4 KB templates (a spintax ReDoS once). Target: well under 10 ms."""

import statistics
import time

from benchmarks.harness import median_ms, report


def median_cpu_ms(func, repeat: int = 25) -> float:
    """Median CPU time of `func`: on a shared machine wall time mostly measures the others."""
    samples = []
    for _ in range(repeat):
        start = time.process_time()
        func()
        samples.append((time.process_time() - start) * 1000)
    return statistics.median(samples)


HOSTILE = {
    "unclosed wide group before deep nesting": "{" + "a|" * 900 + "{a|" * 530 + "}" * 530,
    "nested, never closed": ("{a|" * 1366)[:4096],
    "nested and closed": "{a|" * 1024 + "}" * 1024,
    "only braces": "{" * 4096,
}


def main() -> None:
    from campaigns import rendering
    from campaigns.rendering import Recipient, render, template_problems

    recipient = Recipient(name="Sara Al-Harbi", phone="+966501234567", attributes={})
    for label, template in HOSTILE.items():

        def cold_render(template=template):
            rendering.parse.cache_clear()
            render(template, recipient, "1:2:1")

        cpu, wall = median_cpu_ms(cold_render), median_ms(cold_render)
        report(f"render a hostile 4 KB template, {label}", f"{cpu:.2f} ms CPU, {wall:.2f} wall")
        checked = median_cpu_ms(lambda template=template: template_problems(template))
        report("  validate it on save", f"{checked:.2f} ms CPU")
    usual = "{Hi|Hello|Hey} {{first_name|there}}, {our|the} spring offer is {live|here}!"
    usual_ms = median_cpu_ms(lambda: render(usual, recipient, "s"), repeat=1000)
    report("render a usual template", f"{usual_ms * 1000:.1f} µs CPU")
