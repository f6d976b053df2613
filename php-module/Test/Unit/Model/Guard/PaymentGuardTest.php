<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Test\Unit\Model\Guard;

use MagentoIr\IncidentResponse\Model\Guard\Attempt;
use MagentoIr\IncidentResponse\Model\Guard\GuardStore;
use MagentoIr\IncidentResponse\Model\Guard\OrderBlockedException;
use MagentoIr\IncidentResponse\Model\Guard\PaymentGuard;
use MagentoIr\IncidentResponse\Test\Unit\Support\FakeDb;
use MagentoIr\IncidentResponse\Test\Unit\Support\Fixtures;
use PHPUnit\Framework\TestCase;
use Psr\Log\LoggerInterface;

final class PaymentGuardTest extends TestCase
{
    /**
     * @param list<string> $values
     * @return array<string, mixed>
     */
    private static function rule(int $id, string $type, array $values = [], array $velocity = []): array
    {
        return [
            'rule_id' => $id,
            'type' => $type,
            'rule_values' => json_encode($values),
            'subject' => $velocity[0] ?? null,
            'metric' => $velocity[1] ?? null,
            'max_count' => $velocity[2] ?? null,
            'window_seconds' => $velocity[3] ?? null,
        ];
    }

    private static function attempt(?string $cardPrefix = null, ?int $customerId = 7): Attempt
    {
        return new Attempt('webapi_rest', '203.0.113.9', 'buyer@example.com', $customerId, 41, 'checkmo', $cardPrefix);
    }

    /**
     * @return array<string, array{0: array<string, mixed>, 1: bool}>
     */
    public static function blockLists(): array
    {
        return [
            'ip in cidr' => [self::rule(1, 'ip', ['203.0.113.0/24']), true],
            'ip elsewhere' => [self::rule(1, 'ip', ['198.51.100.0/24']), false],
            'email' => [self::rule(1, 'email', ['buyer@example.com']), true],
            'other email' => [self::rule(1, 'email', ['seller@example.com']), false],
            'customer id' => [self::rule(1, 'customer', ['7']), true],
            'other customer' => [self::rule(1, 'customer', ['70']), false],
            'frozen method' => [self::rule(1, 'freeze', ['checkmo']), true],
            'other method frozen' => [self::rule(1, 'freeze', ['free']), false],
            'bin without card data' => [self::rule(1, 'bin', ['411111']), false],
        ];
    }

    /**
     * @dataProvider blockLists
     * @param array<string, mixed> $rule
     */
    public function testBlockListsMatchTheirField(array $rule, bool $blocked): void
    {
        $match = PaymentGuard::firstMatch([$rule], self::attempt(), static fn (): int => 0);
        self::assertSame($blocked, $match !== null);
    }

    public function testBinMatchesTheCardPrefixOnlyWhenLongEnough(): void
    {
        $rules = [self::rule(1, 'bin', ['41111111']), self::rule(2, 'bin', ['411111'])];
        $none = static fn (): int => 0;
        self::assertSame(2, PaymentGuard::firstMatch($rules, self::attempt('411111'), $none)['rule_id']);
        self::assertSame(1, PaymentGuard::firstMatch($rules, self::attempt('41111111'), $none)['rule_id']);
        self::assertNull(PaymentGuard::firstMatch($rules, self::attempt('52000000'), $none));
    }

    public function testCardPrefixKeepsEightDigitsOfANumberAndRefusesNonsense(): void
    {
        self::assertSame('41111111', Attempt::cardPrefix('4111 1111 1111 1111'));
        self::assertSame('411111', Attempt::cardPrefix('411111'));
        self::assertNull(Attempt::cardPrefix('4111'));
        self::assertNull(Attempt::cardPrefix('tok_visa'));
        self::assertNull(Attempt::cardPrefix(null));
    }

    public function testVelocityBlocksAtTheLimitAndSkipsAttemptsWithoutTheSubject(): void
    {
        $asked = [];
        $count = static function (string $subject, string|int $value, string $outcome, int $window) use (&$asked) {
            $asked[] = [$subject, $value, $outcome, $window];
            return 3;
        };
        $rules = [
            self::rule(1, 'velocity', [], ['customer', 'failures', 3, 600]),
            self::rule(2, 'velocity', [], ['ip', 'orders', 4, 3600]),
        ];
        self::assertNull(PaymentGuard::firstMatch($rules, self::attempt(null, null), $count));
        self::assertSame([['ip', '203.0.113.9', 'order', 3600]], $asked);
        self::assertSame(1, PaymentGuard::firstMatch($rules, self::attempt(), $count)['rule_id']);
    }

    public function testBlockListsWinOverVelocityWhateverTheOrder(): void
    {
        $rules = [
            self::rule(1, 'velocity', [], ['ip', 'orders', 1, 60]),
            self::rule(2, 'email', ['buyer@example.com']),
        ];
        self::assertSame(2, PaymentGuard::firstMatch($rules, self::attempt(), static fn (): int => 5)['rule_id']);
    }

    public function testABlockIsLoggedWithoutCardDataAndRaisesMagentosErrorShape(): void
    {
        $db = (new FakeDb($this))->answer('/FROM magento_ir_guard_rule/', [self::rule(9, 'bin', ['411111'])]);
        $guard = new PaymentGuard(new GuardStore($db->resource), Fixtures::clock($this), $this->logger());
        try {
            $guard->check(self::attempt('41111111'));
            self::fail('not blocked');
        } catch (OrderBlockedException $exception) {
            self::assertSame(PaymentGuard::BLOCKED_MESSAGE, $exception->getMessage());
        }
        $blocks = $db->calls('insert', GuardStore::BLOCK_TABLE);
        self::assertCount(1, $blocks);
        self::assertSame(9, $blocks[0][2]['rule_id']);
        self::assertSame(Fixtures::NOW_DATE, $blocks[0][2]['created_at']);
        self::assertStringNotContainsString('411111', json_encode($db->journal));
    }

    public function testAFrozenMethodSaysSo(): void
    {
        $db = (new FakeDb($this))->answer('/FROM magento_ir_guard_rule/', [self::rule(3, 'freeze', ['checkmo'])]);
        $guard = new PaymentGuard(new GuardStore($db->resource), Fixtures::clock($this), $this->logger());
        $this->expectExceptionMessage(PaymentGuard::FROZEN_MESSAGE);
        $guard->check(self::attempt());
    }

    public function testVelocityCountsInTheRulesWindowBeforeNow(): void
    {
        $db = (new FakeDb($this))
            ->answer('/FROM magento_ir_guard_rule/', [self::rule(4, 'velocity', [], ['email', 'orders', 2, 600])])
            ->answer('/COUNT\(\*\) FROM magento_ir_guard_event/', '2');
        $guard = new PaymentGuard(new GuardStore($db->resource), Fixtures::clock($this), $this->logger());
        try {
            $guard->check(self::attempt());
            self::fail('not blocked');
        } catch (OrderBlockedException) {
            $count = $db->calls('fetchOne')[0];
            self::assertStringContainsString('WHERE email = :value', $count[1]);
            self::assertSame(
                [
                    'value' => 'buyer@example.com',
                    'outcome' => 'order',
                    'since' => gmdate('Y-m-d H:i:s', Fixtures::NOW - 600),
                ],
                $count[2]
            );
        }
    }

    public function testTheGuardFailsOpenWhenItsTablesCannotBeRead(): void
    {
        $db = (new FakeDb($this))->answer('/FROM magento_ir_guard_rule/', static function (): never {
            throw new \RuntimeException('Base table or view not found');
        });
        $logger = $this->logger();
        $logger->expects(self::once())->method('critical');
        (new PaymentGuard(new GuardStore($db->resource), Fixtures::clock($this), $logger))->check(self::attempt());
        self::assertSame([], $db->calls('insert'));
    }

    public function testOutcomesAreCountedPerSubject(): void
    {
        $db = new FakeDb($this);
        (new PaymentGuard(new GuardStore($db->resource), Fixtures::clock($this), $this->logger()))
            ->record(self::attempt('41111111'), 'failure');
        self::assertSame(
            [
                'created_at' => Fixtures::NOW_DATE,
                'outcome' => 'failure',
                'ip' => '203.0.113.9',
                'email' => 'buyer@example.com',
                'customer_id' => 7,
                'quote_id' => 41,
            ],
            $db->calls('insert', GuardStore::EVENT_TABLE)[0][2]
        );
    }

    /**
     * @return LoggerInterface&\PHPUnit\Framework\MockObject\MockObject
     */
    private function logger(): LoggerInterface
    {
        return $this->getMockBuilder(LoggerInterface::class)->getMock();
    }
}
