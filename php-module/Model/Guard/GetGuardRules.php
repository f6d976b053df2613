<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Guard;

use Magento\Framework\Stdlib\DateTime\DateTime;
use MagentoIr\IncidentResponse\Api\Data\GuardRuleListInterface;
use MagentoIr\IncidentResponse\Api\GetGuardRulesInterface;
use MagentoIr\IncidentResponse\Model\Data\GuardRuleList;

/**
 * The rules in force (or every rule), each with how often it blocked.
 */
final class GetGuardRules implements GetGuardRulesInterface
{
    public function __construct(private readonly GuardStore $store, private readonly DateTime $dateTime)
    {
    }

    /**
     * @inheritdoc
     */
    public function execute(bool $includeInactive = false): GuardRuleListInterface
    {
        $stats = $this->store->blockStats();
        return new GuardRuleList(array_map(
            static fn (array $row) => GuardStore::wire($row, $stats),
            $this->store->rules($this->dateTime->gmtDate('Y-m-d H:i:s'), $includeInactive)
        ));
    }
}
