<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Test\Unit\Support;

use Magento\Framework\App\ResourceConnection;
use Magento\Framework\DB\Adapter\AdapterInterface;
use PHPUnit\Framework\MockObject\MockObject;
use PHPUnit\Framework\TestCase;

/**
 * A scripted database connection: reads are answered by SQL pattern, every write is journaled in order.
 */
final class FakeDb
{
    /** @var list<array<int, mixed>> */
    public array $journal = [];
    /** @var list<array{0: string, 1: mixed}> */
    private array $answers = [];
    /** @var array<string, int> */
    private array $writeCounts = [];
    public AdapterInterface&MockObject $connection;
    public ResourceConnection&MockObject $resource;

    public function __construct(TestCase $test)
    {
        $this->connection = $test->getMockBuilder(AdapterInterface::class)->getMock();
        $this->resource = $test->getMockBuilder(ResourceConnection::class)->disableOriginalConstructor()->getMock();
        $this->resource->method('getConnection')->willReturn($this->connection);
        $this->resource->method('getTableName')->willReturnCallback(static fn ($name): string => (string) $name);

        $read = fn (string $method, mixed $none) => function ($sql, $bind = []) use ($method, $none) {
            $this->journal[] = [$method, (string) $sql, $bind];
            foreach ($this->answers as [$pattern, $result]) {
                if (preg_match($pattern, (string) $sql) === 1) {
                    return is_callable($result) ? $result((string) $sql, $bind) : $result;
                }
            }
            return $none;
        };
        $this->connection->method('fetchAll')->willReturnCallback($read('fetchAll', []));
        $this->connection->method('fetchCol')->willReturnCallback($read('fetchCol', []));
        $this->connection->method('fetchPairs')->willReturnCallback($read('fetchPairs', []));
        $this->connection->method('fetchOne')->willReturnCallback($read('fetchOne', false));
        $this->connection->method('fetchRow')->willReturnCallback($read('fetchRow', false));
        $this->connection->method('query')->willReturnCallback(function ($sql, $bind = []) {
            $this->journal[] = ['query', (string) $sql, $bind];
            return null;
        });
        $this->connection->method('insert')->willReturnCallback(function ($table, array $bind) {
            $this->journal[] = ['insert', $table, $bind];
            foreach ($this->answers as [$pattern, $result]) {
                if ($result instanceof \Throwable && preg_match($pattern, 'INSERT ' . $table) === 1) {
                    throw $result;
                }
            }
            return 1;
        });
        $this->connection->method('insertMultiple')->willReturnCallback(function ($table, array $rows) {
            $this->journal[] = ['insertMultiple', $table, $rows];
            return count($rows);
        });
        $this->connection->method('insertOnDuplicate')->willReturnCallback(
            function ($table, array $rows, array $fields = []) {
                $this->journal[] = ['insertOnDuplicate', $table, $rows, $fields];
                return count($rows);
            }
        );
        $this->connection->method('update')->willReturnCallback(function ($table, array $bind, $where = '') {
            $this->journal[] = ['update', $table, $bind, $where];
            return $this->writeCounts['update ' . $table] ?? 0;
        });
        $this->connection->method('delete')->willReturnCallback(function ($table, $where = '') {
            $this->journal[] = ['delete', $table, $where];
            return $this->writeCounts['delete ' . $table] ?? 0;
        });
        $this->connection->method('quoteInto')->willReturnCallback(
            static function ($text, $value) {
                $quote = static fn ($v): string => "'" . addslashes((string) $v) . "'";
                $quoted = is_array($value) ? implode(', ', array_map($quote, $value)) : $quote($value);
                return str_replace('?', $quoted, (string) $text);
            }
        );
        foreach (['beginTransaction', 'commit', 'rollBack'] as $method) {
            $this->connection->method($method)->willReturnCallback(function () use ($method) {
                $this->journal[] = [$method];
                return $this->connection;
            });
        }
    }

    /**
     * Answers reads whose SQL matches $pattern (first registered match wins); a Throwable answer for
     * pattern "/INSERT table/" makes that insert throw.
     */
    public function answer(string $pattern, mixed $result): self
    {
        $this->answers[] = [$pattern, $result];
        return $this;
    }

    /**
     * Affected-row count returned by update() or delete() on a table, e.g. countFor('update', 'admin_user', 3).
     */
    public function countFor(string $method, string $table, int $count): self
    {
        $this->writeCounts[$method . ' ' . $table] = $count;
        return $this;
    }

    /**
     * Journal entries of one method (and table, for writes).
     *
     * @return list<array<int, mixed>>
     */
    public function calls(string $method, ?string $table = null): array
    {
        return array_values(array_filter(
            $this->journal,
            static fn (array $entry): bool => $entry[0] === $method && (
                $table === null || ($entry[1] ?? null) === $table
            )
        ));
    }

    /**
     * The journal reduced to method names, to check ordering (e.g. nothing written after rollBack).
     *
     * @return list<string>
     */
    public function sequence(): array
    {
        return array_map(static fn (array $entry): string => $entry[0], $this->journal);
    }
}
