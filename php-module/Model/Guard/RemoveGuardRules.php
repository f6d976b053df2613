<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Guard;

use Magento\Framework\Stdlib\DateTime\DateTime;
use MagentoIr\IncidentResponse\Api\Data\GuardRemovalResultInterface;
use MagentoIr\IncidentResponse\Api\RemoveGuardRulesInterface;
use MagentoIr\IncidentResponse\Model\Action\ActionOutcome;
use MagentoIr\IncidentResponse\Model\Action\ActionRunner;
use MagentoIr\IncidentResponse\Model\Action\Input;
use MagentoIr\IncidentResponse\Model\Data\GuardRemovalResult;

/**
 * Removes payment-guard rules; the prior state (and the answer) hold each rule as it was.
 */
final class RemoveGuardRules implements RemoveGuardRulesInterface
{
    public const ACTION = 'guard.rules_remove';
    public const MAX_IDS = 1000;

    public function __construct(
        private readonly ActionRunner $runner,
        private readonly Input $input,
        private readonly GuardStore $store,
        private readonly DateTime $dateTime
    ) {
    }

    /**
     * @inheritdoc
     */
    public function execute(array $ruleIds, string $reason, ?string $incidentId = null): GuardRemovalResultInterface
    {
        $request = [
            'ruleIds' => $this->input->ids('ruleIds', $ruleIds, self::MAX_IDS),
            'reason' => $this->input->reason($reason),
            'incidentId' => $this->input->incidentId($incidentId),
        ];
        if ($request['ruleIds'] === []) {
            throw $this->input->required('ruleIds');
        }
        $response = $this->runner->run(
            self::ACTION,
            $request['reason'],
            $request['incidentId'],
            $request,
            fn (): ActionOutcome => $this->remove($request['ruleIds'])
        );
        return GuardRemovalResult::fromArray($response);
    }

    /**
     * @param list<int> $ruleIds
     */
    private function remove(array $ruleIds): ActionOutcome
    {
        $now = $this->dateTime->gmtDate('Y-m-d H:i:s');
        $stats = $this->store->blockStats();
        $before = [];
        foreach ($this->store->rules($now) as $row) {
            if (in_array((int) $row['rule_id'], $ruleIds, true)) {
                $before[] = GuardStore::wire($row, $stats)->toArray();
            }
        }
        $removed = $this->store->removeRules($ruleIds, $now);
        $removedRules = array_values(array_filter(
            $before,
            static fn (array $rule): bool => in_array($rule['rule_id'], $removed, true)
        ));
        $notFound = array_values(array_diff($ruleIds, $removed));
        return new ActionOutcome(
            $removedRules,
            ['removed' => $removedRules, 'not_found' => $notFound]
        );
    }
}
