<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Test\Unit\Model\Action;

use Magento\Framework\App\RequestInterface;
use Magento\Framework\Exception\InputException;
use MagentoIr\IncidentResponse\Model\Action\Input;
use MagentoIr\IncidentResponse\Model\Idempotency\IdempotencyKeyReader;
use MagentoIr\IncidentResponse\Test\Unit\Support\Fixtures;
use PHPUnit\Framework\TestCase;

final class InputTest extends TestCase
{
    public function testIdsAreDistinctPositiveIntegersInFirstSeenOrder(): void
    {
        self::assertSame([4, 3], (new Input())->ids('customerIds', [4, '3', 4]));
    }

    /**
     * @return iterable<string, array{0: array<mixed>}>
     */
    public static function badIds(): iterable
    {
        yield 'zero' => [[0]];
        yield 'negative' => [[-3]];
        yield 'text' => [['3; DROP TABLE admin_user']];
        yield 'float' => [[1.5]];
    }

    /**
     * @dataProvider badIds
     * @param array<mixed> $ids
     */
    public function testAnythingButAPositiveIdIsRejectedNamingTheField(array $ids): void
    {
        try {
            (new Input())->ids('adminIds', $ids);
            self::fail('Expected InputException.');
        } catch (InputException $exception) {
            self::assertSame('adminIds', $exception->getParameters()['fieldName']);
        }
    }

    public function testTooManyIdsAreRejected(): void
    {
        $this->expectException(InputException::class);
        (new Input())->ids('customerIds', range(1, 11), 10);
    }

    public function testBlankIncidentIdMeansNone(): void
    {
        self::assertNull((new Input())->incidentId('  '));
        self::assertSame('INC-1', (new Input())->incidentId(' INC-1 '));
    }

    public function testOverlongReasonIsRejected(): void
    {
        $this->expectException(InputException::class);
        (new Input())->reason(str_repeat('x', 256));
    }

    public function testRequestsWithoutHttpHeadersCarryNoKey(): void
    {
        $cli = $this->getMockBuilder(RequestInterface::class)->getMock();
        self::assertNull((new IdempotencyKeyReader($cli))->read());
        self::assertNull((new IdempotencyKeyReader(Fixtures::request($this, null)))->read());
        self::assertSame('a.b:c-1_2', (new IdempotencyKeyReader(Fixtures::request($this, 'a.b:c-1_2')))->read());
    }

    public function testOverlongKeyIsRejected(): void
    {
        $this->expectException(InputException::class);
        (new IdempotencyKeyReader(Fixtures::request($this, str_repeat('k', 129))))->read();
    }
}
