<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Api;

/**
 * Lists the payment-guard rules in force (not removed, not lapsed), with how often each blocked.
 *
 * @api
 */
interface GetGuardRulesInterface
{
    /**
     * Runs the use case.
     *
     * @param bool $includeInactive Also removed and lapsed rules.
     * @return \MagentoIr\IncidentResponse\Api\Data\GuardRuleListInterface
     */
    public function execute(bool $includeInactive = false): \MagentoIr\IncidentResponse\Api\Data\GuardRuleListInterface;
}
