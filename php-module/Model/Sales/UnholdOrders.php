<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Sales;

use Magento\Framework\Exception\LocalizedException;
use Magento\Framework\Exception\NoSuchEntityException;
use Magento\Framework\Stdlib\DateTime\DateTime;
use Magento\Sales\Api\OrderManagementInterface;
use MagentoIr\IncidentResponse\Api\Data\OrderUnholdResultInterface;
use MagentoIr\IncidentResponse\Api\UnholdOrdersInterface;
use MagentoIr\IncidentResponse\Model\Action\ActionOutcome;
use MagentoIr\IncidentResponse\Model\Action\ActionRunner;
use MagentoIr\IncidentResponse\Model\Action\Input;
use MagentoIr\IncidentResponse\Model\Data\OrderUnholdResult;

/**
 * Releases the orders one bulk hold held, through OrderManagementInterface::unHold (which puts back the
 * state and status Magento kept in hold_before_state / hold_before_status).
 *
 * An order no longer on hold (someone released, cancelled or shipped it since) is left alone and reported
 * not_on_hold; an order Magento refuses to release is reported with its reason and stays in the hold.
 */
final class UnholdOrders implements UnholdOrdersInterface
{
    public const ACTION = 'orders.unhold';

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
        int $holdId,
        string $reason,
        ?string $incidentId = null,
        array $orderIds = []
    ): OrderUnholdResultInterface {
        $request = [
            'holdId' => $this->input->intRange('holdId', $holdId, 1, PHP_INT_MAX),
            'reason' => $this->input->reason($reason),
            'incidentId' => $this->input->incidentId($incidentId),
            'orderIds' => $this->input->ids('orderIds', $orderIds, HoldOrders::MAX_ORDERS),
        ];
        $response = $this->runner->run(
            self::ACTION,
            $request['reason'],
            $request['incidentId'],
            $request,
            function () use ($request): ActionOutcome {
                // Refused inside the action so the refusal is logged.
                if (!$this->store->holdExists($request['holdId'])) {
                    throw NoSuchEntityException::singleField('holdId', $request['holdId']);
                }
                return $this->unhold($request['holdId'], $request['orderIds']);
            }
        );
        return OrderUnholdResult::fromArray($response);
    }

    /**
     * @param list<int> $orderIds
     */
    private function unhold(int $holdId, array $orderIds): ActionOutcome
    {
        $recorded = $this->store->activeItems($holdId, $orderIds);
        $current = $this->store->orders(array_map(static fn (array $item): int => $item['order_id'], $recorded));
        $items = [];
        $closed = [];
        $released = 0;
        $prior = [];
        foreach ($recorded as $order) {
            $id = $order['order_id'];
            $item = [
                'order_id' => $id,
                'increment_id' => $order['increment_id'],
                'prior_state' => $order['prior_state'],
                'prior_status' => $order['prior_status'],
            ];
            $now = $current[$id] ?? null;
            if ($now === null || $now['state'] !== OrderHoldStore::STATE_HOLDED) {
                $items[$id] = ['result' => 'not_on_hold'] + $item;
                $closed[] = $id;
                continue;
            }
            $prior[$id] = ['state' => $now['state'], 'status' => $now['status']];
            try {
                $this->orderManagement->unHold($id);
            } catch (LocalizedException $exception) {
                $items[$id] = ['result' => 'not_released', 'message' => $exception->getMessage()] + $item;
                continue;
            }
            $items[$id] = ['result' => 'released'] + $item;
            $closed[] = $id;
            $released++;
        }
        foreach ($orderIds as $id) {
            $items[$id] ??= ['order_id' => $id, 'result' => 'not_in_hold'];
        }
        ksort($items);
        $this->store->markReleased($holdId, $closed, $this->dateTime->gmtDate('Y-m-d H:i:s'));
        return new ActionOutcome(
            ['orders' => $prior],
            [
                'hold_id' => $holdId,
                'released' => $released,
                'items' => array_values(array_map(
                    static fn (array $item): array => array_filter($item, static fn ($value): bool => $value !== null),
                    $items
                )),
            ]
        );
    }
}
