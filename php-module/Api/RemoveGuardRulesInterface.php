<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Api;

/**
 * Removes payment-guard rules; the answer holds each rule as it was, so it can be put back.
 *
 * @api
 */
interface RemoveGuardRulesInterface
{
    /**
     * Runs the use case.
     *
     * @param int[] $ruleIds Rules to remove (1-1000 ids).
     * @param string $reason Why the responder acts; stored in the action log (1-255 characters).
     * @param string|null $incidentId Incident identifier stored in the action log.
     * @return \MagentoIr\IncidentResponse\Api\Data\GuardRemovalResultInterface
     * @throws \Magento\Framework\Exception\InputException
     * @throws \Magento\Framework\Exception\CouldNotSaveException
     */
    public function execute(
        array $ruleIds,
        string $reason,
        ?string $incidentId = null
    ): \MagentoIr\IncidentResponse\Api\Data\GuardRemovalResultInterface;
}
