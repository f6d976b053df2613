<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Test\Unit\Model\Guard;

use Magento\Framework\Exception\InputException;
use MagentoIr\IncidentResponse\Model\Action\Input;
use MagentoIr\IncidentResponse\Model\ActionLog\ActionLogWriter;
use MagentoIr\IncidentResponse\Model\Guard\AddGuardRule;
use MagentoIr\IncidentResponse\Model\Guard\GetGuardBlocks;
use MagentoIr\IncidentResponse\Model\Guard\GetGuardRules;
use MagentoIr\IncidentResponse\Model\Guard\GuardStore;
use MagentoIr\IncidentResponse\Model\Guard\RemoveGuardRules;
use MagentoIr\IncidentResponse\Model\Guard\RuleInput;
use MagentoIr\IncidentResponse\Test\Unit\Support\FakeDb;
use MagentoIr\IncidentResponse\Test\Unit\Support\Fixtures;
use PHPUnit\Framework\TestCase;

final class GuardRulesTest extends TestCase
{
    private FakeDb $db;

    protected function setUp(): void
    {
        $this->db = (new FakeDb($this))->answer('/LAST_INSERT_ID/', '12');
    }

    private function add(): AddGuardRule
    {
        $input = new Input();
        return new AddGuardRule(
            Fixtures::runner($this, $this->db),
            $input,
            new RuleInput($input),
            new GuardStore($this->db->resource),
            Fixtures::clock($this)
        );
    }

    private function remove(): RemoveGuardRules
    {
        return new RemoveGuardRules(
            Fixtures::runner($this, $this->db),
            new Input(),
            new GuardStore($this->db->resource),
            Fixtures::clock($this)
        );
    }

    public function testABlockRuleIsStoredNormalisedAndLogged(): void
    {
        $result = $this->add()->execute(
            'ip',
            'card testing from one network',
            ['198.51.100.77/24', '2001:DB8::1', '198.51.100.0/24'],
            ttl: 3600,
            incidentId: 'INC-7'
        );

        $row = $this->db->calls('insert', GuardStore::RULE_TABLE)[0][2];
        self::assertSame('["198.51.100.0/24","2001:db8::1"]', $row['rule_values']);
        self::assertSame(gmdate('Y-m-d H:i:s', Fixtures::NOW + 3600), $row['expires_at']);
        self::assertSame(12, $result->getRule()->getRuleId());
        self::assertSame(['198.51.100.0/24', '2001:db8::1'], $result->getRule()->getValues());
        self::assertSame('INC-7', $result->getRule()->getIncidentId());
        self::assertSame(0, $result->getRule()->getBlocked());
        self::assertNull($result->getRule()->getSubject());
        $log = $this->db->calls('insert', ActionLogWriter::TABLE)[0][2];
        self::assertSame(AddGuardRule::ACTION, $log['action']);
        self::assertSame('succeeded', $log['status']);
        self::assertSame('null', $log['prior_state']);
    }

    public function testAVelocityRuleNeedsItsFourParameters(): void
    {
        $result = $this->add()->execute('velocity', 'r', subject: 'ip', metric: 'failures', limit: 5, window: 600);
        self::assertSame(['ip', 'failures', 5, 600], [
            $result->getRule()->getSubject(),
            $result->getRule()->getMetric(),
            $result->getRule()->getLimit(),
            $result->getRule()->getWindow(),
        ]);
        self::assertSame([], $result->getRule()->getValues());
    }

    /**
     * @return array<string, array{0: string, 1: array<mixed>, 2: array<string, mixed>, 3: string}>
     */
    public static function refusals(): array
    {
        return [
            'unknown type' => ['card', ['x'], [], 'type'],
            'bad cidr' => ['ip', ['192.0.2.0/40'], [], 'values'],
            'bad e-mail' => ['email', ['not-an-email'], [], 'values'],
            'bad bin' => ['bin', ['4111'], [], 'values'],
            'bad customer id' => ['customer', ['0'], [], 'values'],
            'no values' => ['freeze', [], [], 'values'],
            'velocity without subject' => [
                'velocity', [], ['metric' => 'orders', 'limit' => 1, 'window' => 60], 'subject',
            ],
            'velocity window too short' => [
                'velocity', [], ['subject' => 'ip', 'metric' => 'orders', 'limit' => 1, 'window' => 5], 'window',
            ],
            'velocity with values' => [
                'velocity',
                ['1.2.3.4'],
                ['subject' => 'ip', 'metric' => 'orders', 'limit' => 1, 'window' => 60],
                'values',
            ],
            'block rule with a limit' => ['email', ['a@example.com'], ['limit' => 3], 'limit'],
            'ttl over 30 days' => ['freeze', ['checkmo'], ['ttl' => 2592001], 'ttl'],
        ];
    }

    /**
     * @dataProvider refusals
     * @param array<mixed> $values
     * @param array<string, mixed> $extra
     */
    public function testMalformedRulesAreRefusedBeforeAnythingIsWritten(
        string $type,
        array $values,
        array $extra,
        string $field
    ): void {
        try {
            $this->add()->execute($type, 'r', $values, ...$extra);
            self::fail('accepted');
        } catch (InputException $exception) {
            self::assertSame($field, $exception->getParameters()['fieldName'] ?? null);
        }
        self::assertSame([], $this->db->calls('insert'));
    }

    public function testRemovalRecordsTheRulesAsTheyWereAndNamesUnknownIds(): void
    {
        $this->db->answer('/FROM magento_ir_guard_rule/', [[
            'rule_id' => '3',
            'type' => 'email',
            'rule_values' => '["a@example.com"]',
            'subject' => null,
            'metric' => null,
            'max_count' => null,
            'window_seconds' => null,
            'created_at' => '2024-05-01 00:00:00',
            'expires_at' => null,
            'removed_at' => null,
            'incident_id' => null,
            'reason' => 'bad actor',
        ]])->answer(
            '/FROM magento_ir_guard_counter/',
            [['rule_id' => '3', 'rule_type' => 'email', 'blocked' => '4',
                'first_blocked_at' => '2024-05-01 00:30:00', 'last_blocked_at' => '2024-05-01 01:00:00']]
        );

        $result = $this->remove()->execute([3, 8], 'incident closed');

        self::assertSame([8], $result->getNotFound());
        self::assertSame(3, $result->getRemoved()[0]->getRuleId());
        self::assertSame(4, $result->getRemoved()[0]->getBlocked());
        self::assertSame('2024-05-01 00:30:00', $result->getRemoved()[0]->getFirstBlockedAt());
        self::assertStringNotContainsString('COUNT(', json_encode($this->db->journal));
        $update = $this->db->calls('update', GuardStore::RULE_TABLE)[0];
        self::assertSame(['removed_at' => Fixtures::NOW_DATE], $update[2]);
        self::assertSame(['rule_id IN (?)' => [3]], $update[3]);
        $log = $this->db->calls('insert', ActionLogWriter::TABLE)[0][2];
        self::assertSame(RemoveGuardRules::ACTION, $log['action']);
        self::assertStringContainsString('"a@example.com"', $log['prior_state']);
    }

    public function testRemovingNothingIsRefused(): void
    {
        $this->expectException(InputException::class);
        $this->remove()->execute([], 'r');
    }

    public function testRuleListAndBlockPagesComeFromTheirTables(): void
    {
        $row = ['block_id' => '5', 'created_at' => '2024-05-01 00:00:01', 'rule_id' => '3', 'rule_type' => 'ip',
            'channel' => 'graphql', 'ip' => '192.0.2.1', 'email' => null, 'customer_id' => null,
            'quote_id' => '9', 'method' => 'checkmo'];
        $this->db->answer(
            '/FROM magento_ir_guard_block WHERE block_id > :after/',
            static fn (string $sql, array $bind): array => $bind['after'] < 5 ? [$row] : []
        );
        $page = (new GetGuardBlocks(new GuardStore($this->db->resource), new Input()))->execute(4, 10);
        self::assertSame(5, $page->getLastBlockId());
        self::assertSame('graphql', $page->getItems()[0]->getChannel());
        self::assertNull($page->getItems()[0]->getEmail());
        self::assertSame(9, $page->getItems()[0]->getQuoteId());
        self::assertSame(['after' => 4], $this->db->calls('fetchAll')[0][2]);

        $empty = (new GetGuardBlocks(new GuardStore($this->db->resource), new Input()))->execute(77, 10);
        self::assertSame(77, $empty->getLastBlockId());

        $rules = (new GetGuardRules(new GuardStore($this->db->resource), Fixtures::clock($this)))->execute();
        self::assertSame([], $rules->getItems());
        $ruleQuery = array_values(array_filter(
            $this->db->calls('fetchAll'),
            static fn (array $call): bool => str_contains($call[1], 'magento_ir_guard_rule')
        ))[0];
        self::assertStringContainsString('removed_at IS NULL', $ruleQuery[1]);
        self::assertSame(['now' => Fixtures::NOW_DATE], $ruleQuery[2]);
    }

    public function testBlockPageSizeIsBounded(): void
    {
        $this->expectException(InputException::class);
        (new GetGuardBlocks(new GuardStore($this->db->resource), new Input()))->execute(0, 1001);
    }
}
