<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Cron;

use Magento\Framework\Stdlib\DateTime\DateTime;
use MagentoIr\IncidentResponse\Model\Guard\GuardStore;

/**
 * Hourly: forgets order-placement events older than any velocity window can look back (blocks are kept).
 */
final class PurgeGuardEvents
{
    public function __construct(private readonly GuardStore $store, private readonly DateTime $dateTime)
    {
    }

    public function execute(): void
    {
        $this->store->purgeEvents(
            gmdate('Y-m-d H:i:s', (int) $this->dateTime->gmtTimestamp() - GuardStore::EVENT_RETENTION)
        );
    }
}
