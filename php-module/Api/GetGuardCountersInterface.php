<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Api;

/**
 * Reads the payment guard's refusal counters: a cheap poll (one row per rule that ever refused) that
 * tells a watcher whether there is anything new to read from the refusals.
 *
 * @api
 */
interface GetGuardCountersInterface
{
    /**
     * Runs the use case.
     *
     * @return \MagentoIr\IncidentResponse\Api\Data\GuardCounterListInterface
     */
    public function execute(): \MagentoIr\IncidentResponse\Api\Data\GuardCounterListInterface;
}
