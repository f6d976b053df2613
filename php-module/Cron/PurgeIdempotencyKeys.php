<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Cron;

use MagentoIr\IncidentResponse\Model\Idempotency\IdempotencyStore;

/**
 * Daily: forgets idempotency keys old enough that no client still retries with them.
 *
 * Only the replay table is purged; the action log is append-only and never touched.
 */
final class PurgeIdempotencyKeys
{
    public function __construct(private readonly IdempotencyStore $store)
    {
    }

    public function execute(): void
    {
        $this->store->purge();
    }
}
