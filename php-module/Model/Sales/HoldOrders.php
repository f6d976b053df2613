<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Sales;

use Magento\Framework\Exception\InputException;
use Magento\Framework\Exception\LocalizedException;
use Magento\Framework\Stdlib\DateTime\DateTime;
use Magento\Sales\Api\OrderManagementInterface;
use MagentoIr\IncidentResponse\Api\Data\OrderHoldResultInterface;
use MagentoIr\IncidentResponse\Api\HoldOrdersInterface;
use MagentoIr\IncidentResponse\Model\Action\ActionOutcome;
use MagentoIr\IncidentResponse\Model\Action\ActionRunner;
use MagentoIr\IncidentResponse\Model\Action\Input;
use MagentoIr\IncidentResponse\Model\Data\OrderHoldResult;

/**
 * Holds every order of a selection through Magento's own OrderManagementInterface::hold, in one call.
 *
 * Orders Magento refuses to hold (complete, canceled, in payment review...) are reported with Magento's
 * reason and left alone; orders already on hold are reported as such. Only the orders this call held are
 * recorded, so an unhold of this hold releases exactly those.
 */
final class HoldOrders implements HoldOrdersInterface
{
    public const ACTION = 'orders.hold';
    public const MAX_ORDERS = 10000;
    public const MAX_STATUSES = 50;
    private const TIME = '/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/';

    public function __construct(
        private readonly ActionRunner $runner,
        private readonly Input $input,
        private readonly OrderHoldStore $store,
        private readonly OrderManagementInterface $orderManagement,
        private readonly DateTime $dateTime
    ) {
    }

    /**
     * @inheritdoc
     */
    public function execute(
        string $reason,
        array $statuses,
        ?string $incidentId = null,
        array $orderIds = [],
        ?string $createdFrom = null,
        ?string $createdTo = null
    ): OrderHoldResultInterface {
        $request = [
            'reason' => $this->input->reason($reason),
            'incidentId' => $this->input->incidentId($incidentId),
            'statuses' => $this->statuses($statuses),
            'orderIds' => $this->input->ids('orderIds', $orderIds, self::MAX_ORDERS),
            'createdFrom' => $this->time('createdFrom', $createdFrom),
            'createdTo' => $this->time('createdTo', $createdTo),
        ];
        $response = $this->runner->run(
            self::ACTION,
            $request['reason'],
            $request['incidentId'],
            $request,
            fn (): ActionOutcome => $this->hold($request)
        );
        return OrderHoldResult::fromArray($response);
    }

    /**
     * @param array{reason: string, incidentId: string|null, statuses: list<string>, orderIds: list<int>,
     *     createdFrom: string|null, createdTo: string|null} $request
     */
    private function hold(array $request): ActionOutcome
    {
        [$selected, $matched] = $this->store->matching(
            $request['orderIds'],
            $request['statuses'],
            $request['createdFrom'],
            $request['createdTo'],
            self::MAX_ORDERS
        );
        $items = [];
        $held = [];
        foreach ($selected as $order) {
            $item = [
                'order_id' => $order['order_id'],
                'increment_id' => $order['increment_id'],
                'prior_state' => $order['state'],
                'prior_status' => $order['status'],
            ];
            if ($order['state'] === OrderHoldStore::STATE_HOLDED) {
                $items[$order['order_id']] = ['result' => 'already_held'] + $item;
                continue;
            }
            try {
                $done = $this->orderManagement->hold($order['order_id']);
            } catch (LocalizedException $exception) {
                // Refused before anything was saved (Order::hold checks canHold() first).
                $items[$order['order_id']] = ['result' => 'not_held', 'message' => $exception->getMessage()] + $item;
                continue;
            }
            if (!$done) {
                $items[$order['order_id']] = ['result' => 'not_held', 'message' => 'Magento did not save the hold.']
                    + $item;
                continue;
            }
            $held[] = $order;
            $items[$order['order_id']] = ['result' => 'held'] + $item;
        }
        // Named orders outside the selection are reported too, so none goes unmentioned.
        $missing = array_values(array_diff($request['orderIds'], array_keys($items)));
        $found = $this->store->orders($missing);
        foreach ($missing as $orderId) {
            $order = $found[$orderId] ?? null;
            $items[$orderId] = $order === null
                ? ['order_id' => $orderId, 'result' => 'not_found']
                : [
                    'order_id' => $orderId,
                    'increment_id' => $order['increment_id'],
                    'result' => $order['state'] === OrderHoldStore::STATE_HOLDED ? 'already_held' : 'not_matched',
                    'prior_state' => $order['state'],
                    'prior_status' => $order['status'],
                ];
        }
        ksort($items);

        $result = [
            'matched' => $matched,
            'held' => count($held),
            'remaining' => $matched - count($selected),
            'items' => array_values(array_map(
                static fn (array $item): array => array_filter($item, static fn ($value): bool => $value !== null),
                $items
            )),
        ];
        if ($held !== []) {
            $result['hold_id'] = $this->store->recordHold(
                $this->dateTime->gmtDate('Y-m-d H:i:s'),
                $request['reason'],
                $request['incidentId'],
                $held
            );
        }
        $prior = [];
        foreach ($held as $order) {
            $prior[$order['order_id']] = ['state' => $order['state'], 'status' => $order['status']];
        }
        return new ActionOutcome(['orders' => $prior], $result);
    }

    /**
     * @param array<mixed> $statuses
     * @return list<string>
     * @throws InputException
     */
    private function statuses(array $statuses): array
    {
        if (count($statuses) > self::MAX_STATUSES) {
            throw $this->input->invalid(
                'statuses',
                count($statuses) . ' statuses (at most ' . self::MAX_STATUSES . ')'
            );
        }
        $clean = [];
        foreach ($statuses as $status) {
            if (!is_string($status) || preg_match('/^[a-z0-9_]{1,32}$/', $status) !== 1) {
                throw $this->input->invalid('statuses', is_scalar($status) ? (string) $status : gettype($status));
            }
            $clean[$status] = $status;
        }
        if ($clean === []) {
            throw $this->input->required('statuses');
        }
        return array_values($clean);
    }

    /**
     * @throws InputException
     */
    private function time(string $field, ?string $value): ?string
    {
        if ($value === null || trim($value) === '') {
            return null;
        }
        if (preg_match(self::TIME, $value) !== 1 || strtotime($value . ' UTC') === false) {
            throw $this->input->invalid($field, $value);
        }
        return $value;
    }
}
