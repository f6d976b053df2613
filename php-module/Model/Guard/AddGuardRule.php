<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Guard;

use Magento\Framework\Stdlib\DateTime\DateTime;
use MagentoIr\IncidentResponse\Api\AddGuardRuleInterface;
use MagentoIr\IncidentResponse\Api\Data\GuardRuleResultInterface;
use MagentoIr\IncidentResponse\Model\Action\ActionOutcome;
use MagentoIr\IncidentResponse\Model\Action\ActionRunner;
use MagentoIr\IncidentResponse\Model\Action\Input;
use MagentoIr\IncidentResponse\Model\Data\GuardRuleResult;

/**
 * Adds one payment-guard rule; the action log's prior state is null (nothing was there), its result the rule.
 */
final class AddGuardRule implements AddGuardRuleInterface
{
    public const ACTION = 'guard.rule_add';

    public function __construct(
        private readonly ActionRunner $runner,
        private readonly Input $input,
        private readonly RuleInput $ruleInput,
        private readonly GuardStore $store,
        private readonly DateTime $dateTime
    ) {
    }

    /**
     * @inheritdoc
     */
    public function execute(
        string $type,
        string $reason,
        array $values = [],
        ?string $subject = null,
        ?string $metric = null,
        int $limit = 0,
        int $window = 0,
        int $ttl = 0,
        ?string $incidentId = null
    ): GuardRuleResultInterface {
        $rule = $this->ruleInput->rule($type, $values, $subject, $metric, $limit, $window, $ttl);
        $request = $rule + [
            'reason' => $this->input->reason($reason),
            'incidentId' => $this->input->incidentId($incidentId),
        ];
        $response = $this->runner->run(
            self::ACTION,
            $request['reason'],
            $request['incidentId'],
            $request,
            fn (): ActionOutcome => $this->add($rule, $request['reason'], $request['incidentId'])
        );
        return GuardRuleResult::fromArray($response);
    }

    /**
     * @param array{type: string, values: list<string>, subject: ?string, metric: ?string, limit: ?int,
     *     window: ?int, ttl: int} $rule
     */
    private function add(array $rule, string $reason, ?string $incidentId): ActionOutcome
    {
        $now = (int) $this->dateTime->gmtTimestamp();
        $createdAt = gmdate('Y-m-d H:i:s', $now);
        $expiresAt = $rule['ttl'] > 0 ? gmdate('Y-m-d H:i:s', $now + $rule['ttl']) : null;
        $ruleId = $this->store->addRule($rule, $createdAt, $expiresAt, $reason, $incidentId);
        $wire = GuardStore::wire([
            'rule_id' => $ruleId,
            'type' => $rule['type'],
            'rule_values' => json_encode($rule['values'], JSON_THROW_ON_ERROR),
            'subject' => $rule['subject'],
            'metric' => $rule['metric'],
            'max_count' => $rule['limit'],
            'window_seconds' => $rule['window'],
            'created_at' => $createdAt,
            'expires_at' => $expiresAt,
            'incident_id' => $incidentId,
            'reason' => $reason,
        ]);
        return new ActionOutcome(null, ['rule' => $wire->toArray()]);
    }
}
