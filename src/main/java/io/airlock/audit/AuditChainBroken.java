package io.airlock.audit;

import java.time.Instant;

/**
 * The audit watch found the chain broken, or broken differently than before (published once per
 * finding, on the node that checked).
 *
 * @param firstBadSeq the first entry that does not verify
 * @param problem     what is wrong with it, e.g. "entry 58 was changed after it was written"
 * @param foundAt     when the check ran
 */
public record AuditChainBroken(long firstBadSeq, String problem, Instant foundAt) {}
