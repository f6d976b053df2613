<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Guard;

use MagentoIr\IncidentResponse\Api\Data\GuardCounterListInterface;
use MagentoIr\IncidentResponse\Api\GetGuardCountersInterface;
use MagentoIr\IncidentResponse\Model\Data\GuardCounter;
use MagentoIr\IncidentResponse\Model\Data\GuardCounterList;

/**
 * The refusal counters and the newest refusal's id: two indexed reads, whatever the number of refusals.
 */
final class GetGuardCounters implements GetGuardCountersInterface
{
    public function __construct(private readonly GuardStore $store)
    {
    }

    /**
     * @inheritdoc
     */
    public function execute(): GuardCounterListInterface
    {
        return new GuardCounterList(
            array_map(static fn (array $row): GuardCounter => new GuardCounter($row), $this->store->counters()),
            $this->store->lastBlockId()
        );
    }
}
