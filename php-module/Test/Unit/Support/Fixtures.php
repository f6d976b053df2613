<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Test\Unit\Support;

use Magento\Authorization\Model\UserContextInterface;
use Magento\Framework\App\Request\Http as HttpRequest;
use Magento\Framework\Stdlib\DateTime\DateTime;
use MagentoIr\IncidentResponse\Model\Action\ActionRunner;
use MagentoIr\IncidentResponse\Model\ActionLog\ActionLogWriter;
use MagentoIr\IncidentResponse\Model\ActionLog\HashChain;
use MagentoIr\IncidentResponse\Model\Idempotency\IdempotencyKeyReader;
use MagentoIr\IncidentResponse\Model\Idempotency\IdempotencyStore;
use PHPUnit\Framework\TestCase;

/**
 * Builds the real shared collaborators (runner, log, idempotency) over a FakeDb, with a fixed clock.
 */
final class Fixtures
{
    public const NOW = 1714533129;
    public const NOW_DATE = '2024-05-01 03:12:09';

    public static function clock(TestCase $test): DateTime
    {
        $clock = $test->getMockBuilder(DateTime::class)->disableOriginalConstructor()->getMock();
        $clock->method('gmtTimestamp')->willReturn(self::NOW);
        $clock->method('gmtDate')->willReturnCallback(
            static fn ($format = null, $input = null): string => gmdate(
                $format ?? 'Y-m-d H:i:s',
                $input === null ? self::NOW : (int) $input
            )
        );
        return $clock;
    }

    public static function userContext(TestCase $test, int $userType, int $userId): UserContextInterface
    {
        $context = $test->getMockBuilder(UserContextInterface::class)->getMock();
        $context->method('getUserType')->willReturn($userType);
        $context->method('getUserId')->willReturn($userId);
        return $context;
    }

    public static function request(TestCase $test, ?string $idempotencyKey): HttpRequest
    {
        $request = $test->getMockBuilder(HttpRequest::class)->disableOriginalConstructor()->getMock();
        $request->method('getHeader')->willReturnCallback(
            static fn ($name, $default = false) => $name === IdempotencyKeyReader::HEADER && $idempotencyKey !== null
                ? $idempotencyKey
                : $default
        );
        return $request;
    }

    /**
     * Status of every action-log record the FakeDb saw written, in order.
     *
     * @return list<string>
     */
    public static function loggedStatuses(FakeDb $db): array
    {
        return array_map(
            static fn (array $insert): string => (string) $insert[2]['status'],
            $db->calls('insert', ActionLogWriter::TABLE)
        );
    }

    /**
     * A runner whose caller is an admin (user type 2) with id $adminId unless told otherwise.
     */
    public static function runner(
        TestCase $test,
        FakeDb $db,
        ?string $idempotencyKey = null,
        int $userType = UserContextInterface::USER_TYPE_ADMIN,
        int $userId = 1
    ): ActionRunner {
        $clock = self::clock($test);
        return new ActionRunner(
            $db->resource,
            self::userContext($test, $userType, $userId),
            new IdempotencyKeyReader(self::request($test, $idempotencyKey)),
            new IdempotencyStore($db->resource, $clock),
            new ActionLogWriter($db->resource, new HashChain(), $clock)
        );
    }
}
